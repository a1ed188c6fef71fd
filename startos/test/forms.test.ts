/** Each action's form input to what store.json keeps (config/forms.ts). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  addressChoices,
  gmailSyncCommand,
  publicUrlSummary,
  storedDigest,
  storedGmail,
  storedPublicUrl,
  storedSpark,
} from '../config/forms'
import { noGmail } from '../config/storeShape'
import { serviceAccount } from './fixtures'

describe('Set Public URL', () => {
  const addresses = [
    { url: 'https://venture-crm.local/', hostname: 'venture-crm.local', kind: 'mdns', public: false },
    { url: 'http://192.168.1.20:41234', hostname: '192.168.1.20', kind: 'ipv4', public: false },
    { url: 'http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstu.onion', hostname: 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstu.onion', kind: 'plugin', public: true },
    { url: 'https://crm.fund.example', hostname: 'crm.fund.example', kind: 'public-domain', public: true },
    { url: 'https://crm.fund.example/', hostname: 'crm.fund.example', kind: 'public-domain', public: true },
  ]
  it('offers each address once, saying where it works', () => {
    assert.deepEqual(addressChoices(addresses), {
      'https://venture-crm.local': 'https://venture-crm.local (LAN (.local))',
      'http://192.168.1.20:41234': 'http://192.168.1.20:41234 (LAN IP)',
      'http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstu.onion':
        'http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstu.onion (Tor (.onion))',
      'https://crm.fund.example': 'https://crm.fund.example (Clearnet domain)',
    })
  })
  it('keeps a chosen, a typed or no address', () => {
    assert.equal(storedPublicUrl({ selection: 'address', value: { url: 'https://venture-crm.local' } }), 'https://venture-crm.local')
    assert.equal(storedPublicUrl({ selection: 'custom', value: { url: 'https://CRM.fund.example/' } }), 'https://crm.fund.example')
    assert.equal(storedPublicUrl({ selection: 'none', value: {} }), null)
    assert.throws(() => storedPublicUrl({ selection: 'custom', value: { url: 'https://fund.example/crm' } }), /^InputError: URL: only the scheme/)
    assert.throws(() => storedPublicUrl({ selection: 'address', value: { url: 'none' } }), /^InputError: Address: "none" is not a URL/)
  })
  it('says what changes for the cookie', () => {
    assert.match(publicUrlSummary('https://crm.fund.example'), /start with https:\/\/crm.fund.example\. The session cookie is marked Secure/)
    assert.match(publicUrlSummary('http://192.168.1.20:41234'), /not marked Secure: choose an https/)
    assert.match(publicUrlSummary('http://venture-crm.local'), /Tor and .local addresses/)
    assert.match(publicUrlSummary(null), /warning banner/)
  })
})

describe('Configure Gmail', () => {
  const json = JSON.stringify(serviceAccount)
  const withKey = { ...noGmail, serviceAccountKey: json }
  it('installs a pasted key and the domains', () => {
    const gmail = storedGmail(noGmail, {
      key: { selection: 'replace', value: { json: `\n${JSON.stringify(serviceAccount, null, 2)}\n` } },
      workspaceDomain: ' Fund.example ',
      fundDomains: 'fund.example, @gp.fund.example',
    })
    assert.deepEqual(gmail, { serviceAccountKey: json, workspaceDomain: 'fund.example', fundDomains: ['fund.example', 'gp.fund.example'] })
  })
  it('keeps or removes the installed key', () => {
    const kept = storedGmail(withKey, { key: { selection: 'keep', value: {} }, workspaceDomain: null, fundDomains: null })
    assert.deepEqual(kept, { serviceAccountKey: json, workspaceDomain: null, fundDomains: [] })
    const removed = storedGmail(withKey, { key: { selection: 'remove', value: {} }, workspaceDomain: 'fund.example', fundDomains: '' })
    assert.equal(removed.serviceAccountKey, null)
  })
  it('refuses a bad key or domain, naming the field', () => {
    assert.throws(
      () => storedGmail(noGmail, { key: { selection: 'replace', value: { json: '{"type":"authorized_user"}' } }, workspaceDomain: null, fundDomains: null }),
      /^InputError: Service account key: "type" is "authorized_user"/,
    )
    assert.throws(
      () => storedGmail(withKey, { key: { selection: 'keep', value: {} }, workspaceDomain: 'fund', fundDomains: null }),
      /^InputError: Workspace domain: "fund" is not a domain/,
    )
    assert.throws(
      () => storedGmail(withKey, { key: { selection: 'keep', value: {} }, workspaceDomain: null, fundDomains: 'fund.example; gp' }),
      /^InputError: Fund's own domains/,
    )
  })
})

describe('Gmail Sync for a User', () => {
  it('runs crm gmail enable or disable', () => {
    assert.deepEqual(gmailSyncCommand({ email: ' ada@fund.example ', sync: { selection: 'on', value: { address: null } } }), [
      'crm', 'gmail', 'enable', '--user', 'ada@fund.example',
    ])
    assert.deepEqual(gmailSyncCommand({ email: 'ada@fund.example', sync: { selection: 'on', value: { address: 'ada@gp.fund.example' } } }), [
      'crm', 'gmail', 'enable', '--user', 'ada@fund.example', '--address', 'ada@gp.fund.example',
    ])
    assert.deepEqual(gmailSyncCommand({ email: 'ada@fund.example', sync: { selection: 'off', value: {} } }), [
      'crm', 'gmail', 'disable', '--user', 'ada@fund.example',
    ])
  })
  it('refuses what is not an email', () => {
    assert.throws(() => gmailSyncCommand({ email: '--help', sync: { selection: 'off', value: {} } }), /^InputError: User: "--help"/)
    assert.throws(
      () => gmailSyncCommand({ email: 'ada@fund.example', sync: { selection: 'on', value: { address: 'ada' } } }),
      /^InputError: Gmail address: "ada"/,
    )
  })
})

describe('Digest Schedule', () => {
  it('keeps the switch, time and zone as the CRM reads them', () => {
    assert.deepEqual(storedDigest({ enabled: false, sendAt: '6:45', tz: 'europe/berlin' }), { enabled: false, sendAt: '06:45', tz: 'Europe/Berlin' })
  })
  it('refuses a bad time or zone', () => {
    assert.throws(() => storedDigest({ enabled: true, sendAt: '25:00', tz: 'UTC' }), /^InputError: Send time/)
    assert.throws(() => storedDigest({ enabled: true, sendAt: '07:30', tz: 'Europe/Atlantis' }), /^InputError: Time zone: "Europe\/Atlantis"/)
  })
})

describe('Set Spark Endpoint', () => {
  const base = { baseUrl: 'http://192.168.1.20:8000/v1', model: ' llama-3.1-8b ', apiKey: null, allowTailscale: false, allowNetworks: [] }
  it('keeps the endpoint and the allowed ranges', () => {
    assert.deepEqual(storedSpark({ ...base, allowNetworks: [' 10.8.0.0/16', '10.8.0.0/16'] }), {
      baseUrl: 'http://192.168.1.20:8000/v1',
      model: 'llama-3.1-8b',
      apiKey: null,
      allowNetworks: ['10.8.0.0/16'],
      allowTailscale: false,
    })
    assert.equal(storedSpark({ ...base, baseUrl: 'http://spark:8000/', apiKey: 'sk-1' }).baseUrl, 'http://spark:8000')
  })
  it('needs the Tailscale opt-in for an endpoint on Tailscale', () => {
    const tailnet = { ...base, baseUrl: 'http://100.101.102.103:8000/v1' }
    assert.throws(() => storedSpark(tailnet), /^InputError: Base URL: 100.101.102.103 is a Tailscale address .* turn on "Allow Tailscale"/)
    assert.equal(storedSpark({ ...tailnet, allowTailscale: true }).allowTailscale, true)
    assert.deepEqual(storedSpark({ ...tailnet, allowNetworks: ['100.101.0.0/16'] }).allowNetworks, ['100.101.0.0/16'])
  })
  it('refuses a public range, a bad URL or no model', () => {
    assert.throws(() => storedSpark({ ...base, allowNetworks: ['8.8.8.0/24'] }), /^InputError: Allowed private ranges: 8.8.8.0\/24 is \(partly\) a public range/)
    assert.throws(() => storedSpark({ ...base, baseUrl: 'spark:8000' }), /^InputError: Base URL/)
    assert.throws(() => storedSpark({ ...base, model: '  ' }), /^InputError: Model/)
  })
})
