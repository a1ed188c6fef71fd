import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  domainFrom,
  domainListFrom,
  emailFrom,
  installedKeyEmail,
  publicUrlFrom,
  sendAtFrom,
  serviceAccountKeyFrom,
  timeZoneFrom,
} from '../config/checks'
import { addressIn, privateRangeFrom } from '../config/networks'
import { serviceAccount } from './fixtures'

describe('public URL', () => {
  it('keeps the origin of an http(s) URL', () => {
    assert.equal(publicUrlFrom(' https://CRM.Fund.example/ '), 'https://crm.fund.example')
    assert.equal(publicUrlFrom('http://192.168.1.5:8080'), 'http://192.168.1.5:8080')
    assert.equal(publicUrlFrom('http://abcdefghijklmnop.onion'), 'http://abcdefghijklmnop.onion')
  })
  it('refuses what would break the links', () => {
    assert.throws(() => publicUrlFrom('crm.fund.example'), /Public URL: "crm.fund.example" is not a URL/)
    assert.throws(() => publicUrlFrom('ftp://crm.fund.example'), /must start with http/)
    assert.throws(() => publicUrlFrom('https://ada:pw@crm.fund.example'), /user name or password/)
    assert.throws(() => publicUrlFrom('https://fund.example/crm'), /root path/)
    assert.throws(() => publicUrlFrom('https://fund.example/?a=1'), /root path/)
  })
})

describe('service account key', () => {
  it('accepts a key file and names its account', () => {
    const key = serviceAccountKeyFrom(JSON.stringify(serviceAccount, null, 2))
    assert.equal(key.clientEmail, serviceAccount.client_email)
    assert.deepEqual(JSON.parse(key.json), serviceAccount)
    assert.equal(installedKeyEmail(key.json), serviceAccount.client_email)
    assert.equal(installedKeyEmail(null), null)
  })
  it('refuses what is not a service-account key, naming the field', () => {
    assert.throws(() => serviceAccountKeyFrom('{"type": '), /^InputError: Service account key: not valid JSON/)
    assert.throws(() => serviceAccountKeyFrom('[]'), /expected a JSON object/)
    const oauth = { ...serviceAccount, type: 'authorized_user' }
    assert.throws(() => serviceAccountKeyFrom(JSON.stringify(oauth)), /"authorized_user", not "service_account"/)
    const { client_email: _email, ...noEmail } = serviceAccount
    assert.throws(() => serviceAccountKeyFrom(JSON.stringify(noEmail)), /no "client_email"/)
    const { private_key: _key, ...noKey } = serviceAccount
    assert.throws(() => serviceAccountKeyFrom(JSON.stringify(noKey)), /no "private_key"/)
  })
})

describe('domains and emails', () => {
  it('normalises domains and lists', () => {
    assert.equal(domainFrom(' @Fund.Example ', 'Workspace domain'), 'fund.example')
    assert.deepEqual(domainListFrom('fund.example, gp.fund.example fund.example', 'Domains'), [
      'fund.example',
      'gp.fund.example',
    ])
    assert.deepEqual(domainListFrom('', 'Domains'), [])
    assert.throws(() => domainFrom('fund', 'Workspace domain'), /^InputError: Workspace domain: "fund" is not a domain/)
    assert.throws(() => domainListFrom('fund.example, fund!.example', 'Domains'), /"fund!.example" is not a domain/)
  })
  it('checks an email', () => {
    assert.equal(emailFrom(' ada@fund.example '), 'ada@fund.example')
    assert.throws(() => emailFrom('ada'), /Email: "ada" is not an email address/)
  })
})

describe('digest time and zone', () => {
  it('takes a 24-hour time', () => {
    assert.equal(sendAtFrom('7:05'), '07:05')
    assert.equal(sendAtFrom('23:59'), '23:59')
    for (const bad of ['24:00', '7.30', '07:60', '0730', '']) {
      assert.throws(() => sendAtFrom(bad), /Send time: .* is not a time such as 07:30/)
    }
  })
  it('takes IANA zones in their proper case', () => {
    assert.equal(timeZoneFrom('Europe/London'), 'Europe/London')
    assert.equal(timeZoneFrom('america/new_york'), 'America/New_York')
    assert.equal(timeZoneFrom('utc'), 'UTC')
    for (const bad of ['Mars/Olympus', 'GMT+3', 'London', '../etc/passwd']) {
      assert.throws(() => timeZoneFrom(bad), /Time zone: .* is not an IANA time zone/)
    }
  })
})

describe('private ranges', () => {
  it('accepts private networks in the form the CRM reads', () => {
    assert.equal(privateRangeFrom(' 100.64.0.0/10 '), '100.64.0.0/10')
    assert.equal(privateRangeFrom('10.8.0.0/16'), '10.8.0.0/16')
    assert.equal(privateRangeFrom('FD7A:115C:A1E0::/48'), 'fd7a:115c:a1e0::/48')
  })
  it('refuses public ranges, host bits and garbage', () => {
    assert.throws(() => privateRangeFrom('8.8.8.0/24'), /public range/)
    assert.throws(() => privateRangeFrom('0.0.0.0/0'), /public range/)
    assert.throws(() => privateRangeFrom('100.0.0.0/8'), /public range/)
    assert.throws(() => privateRangeFrom('2001:db8::/32'), /public range/)
    assert.throws(() => privateRangeFrom('100.64.1.0/10'), /host bits set: the network is 100.64.0.0\/10/)
    assert.throws(() => privateRangeFrom('tailscale'), /^InputError: Allowed private ranges: "tailscale" is not a network/)
    assert.throws(() => privateRangeFrom('10.0.0.0/33'), /is not a network/)
    assert.throws(() => privateRangeFrom('1::2::/64'), /is not a network/)
  })
  it('tells whether an address lies in a range', () => {
    assert.equal(addressIn('100.100.7.8', ['100.64.0.0/10']), true)
    assert.equal(addressIn('100.128.0.1', ['100.64.0.0/10']), false)
    assert.equal(addressIn('[fd7a:115c:a1e0::1]', ['fd7a:115c:a1e0::/48']), true)
    assert.equal(addressIn('spark.local', ['100.64.0.0/10']), false)
  })
})
