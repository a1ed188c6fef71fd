/**
 * The actions' forms. StartOS checks a field's `patterns` in the browser only (the input
 * validator does not), so each run function checks again (config/forms.ts); here every
 * pattern must let through what those checks accept, and stop the plain mistakes early.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { actions } from '../actions'
import { inputSpec as digestSpec } from '../actions/configureDigest'
import { gmailSpecFor } from '../actions/configureGmail'
import { inputSpec as gmailSyncSpec } from '../actions/gmailUserSync'
import { inputSpec as publicUrlSpec } from '../actions/setPublicUrl'
import { inputSpec as sparkSpec } from '../actions/setSparkEndpoint'
import { domainFrom, domainListFrom, emailFrom, publicUrlFrom, sendAtFrom } from '../config/checks'
import { privateRangeFrom } from '../config/networks'
import { fakeEffects, serviceAccount, torUrl } from './fixtures'

type Spec = Record<string, any>
const noEffects = { effects: fakeEffects, prefill: null }

async function specOf(inputSpec: { build: (options: any) => Promise<{ spec: Spec }> }): Promise<Spec> {
  return (await inputSpec.build(noEffects)).spec
}

/** Does every pattern of a field (text, or a list of texts) accept `value`? */
function patternsAccept(field: Spec, value: string): boolean {
  const patterns: { regex: string }[] = field.patterns ?? field.spec?.patterns ?? []
  assert.ok(patterns.length > 0, `${field.name} has no pattern`)
  return patterns.every(({ regex }) => new RegExp(regex).test(value))
}

const accepts = (check: (text: string) => unknown, value: string) => {
  try {
    check(value)
    return true
  } catch {
    return false
  }
}

/** Each value the check accepts passes the field's patterns; each `early` one is stopped. */
function agrees(field: Spec, check: (text: string) => unknown, good: string[], early: string[]) {
  for (const value of good) {
    assert.ok(accepts(check, value), `the check refuses ${value}`)
    assert.ok(patternsAccept(field, value), `${field.name} blocks ${JSON.stringify(value)}`)
  }
  for (const value of early) {
    assert.ok(!accepts(check, value), `the check accepts ${value}`)
    assert.ok(!patternsAccept(field, value), `${field.name} lets ${JSON.stringify(value)} through`)
  }
}

describe('form patterns agree with the checks', () => {
  it('Digest Schedule', async () => {
    const spec = await specOf(digestSpec)
    agrees(spec.sendAt, sendAtFrom, ['07:30', '7:05', ' 23:59 '], ['24:00', '7.30', '0730'])
    assert.equal(spec.tz.default, 'UTC')
    assert.equal(spec.enabled.default, true)
  })
  it('Set Spark Endpoint', async () => {
    const spec = await specOf(sparkSpec)
    agrees(spec.allowNetworks, privateRangeFrom, ['100.64.0.0/10', ' 10.8.0.0/16', 'fd7a:115c:a1e0::/48'], ['tailscale', '10.0.0.0'])
    assert.equal(spec.allowTailscale.default, false)
    const url = (text: string) => new RegExp(spec.baseUrl.patterns[0].regex).test(text)
    assert.ok(url('http://spark:8000/v1') && url('https://[fd00::2]:8000/v1') && !url('spark:8000'))
  })
  it('Set Public URL', async () => {
    const spec = await specOf(publicUrlSpec)
    const custom = spec.choice.variants.custom.spec.url
    agrees(
      custom,
      publicUrlFrom,
      ['https://crm.fund.example', 'http://192.168.1.20:8080/', 'http://[fd00::1]:8080'],
      ['https://fund.example/crm', 'crm.fund.example', 'https://fund.example/?x=1'],
    )
    assert.deepEqual(Object.keys(spec.choice.variants), ['address', 'custom', 'none'])
  })
  it("Set Public URL lists the service's own addresses, not the bridge or loopback", async () => {
    const spec = await specOf(publicUrlSpec)
    const select = spec.choice.variants.address.spec.url
    assert.deepEqual(select.values, {
      'http://192.168.1.20:41234': 'http://192.168.1.20:41234 (LAN IP)',
      'https://venture-crm.local': 'https://venture-crm.local (LAN (.local))',
      [torUrl]: `${torUrl} (Tor (.onion))`,
      'https://crm.fund.example': 'https://crm.fund.example (Clearnet domain)',
    })
    assert.equal(select.default, 'https://venture-crm.local')
    assert.equal(select.disabled, false)
  })
  it('Configure Gmail', async () => {
    const spec = await specOf(gmailSpecFor(null))
    const domain = (text: string) => domainFrom(text, 'Workspace domain')
    agrees(spec.workspaceDomain, domain, ['fund.example', ' @Fund.Example '], ['fund', 'fund.example/x'])
    const domains = (text: string) => domainListFrom(text, 'Domains')
    agrees(spec.fundDomains, domains, ['fund.example', 'fund.example, gp.fund.example', 'a.example b.example'], ['fund.example; gp'])
    assert.equal(spec.key.default, 'replace')
  })
  it('Gmail Sync for a User', async () => {
    const spec = await specOf(gmailSyncSpec)
    agrees(spec.email, emailFrom, ['ada@fund.example', ' ada@fund.example'], ['ada', '--user'])
    agrees(spec.sync.variants.on.spec.address, emailFrom, ['ada@gp.fund.example'], ['ada@'])
  })
})

describe('the installed Gmail key is never shown', () => {
  it('names the account, not the key', async () => {
    const spec = await specOf(gmailSpecFor(serviceAccount.client_email))
    const text = JSON.stringify(spec)
    assert.match(spec.key.description, /Installed: the key of crm-sync@fund-crm\.iam\.gserviceaccount\.com/)
    assert.equal(spec.key.default, 'keep')
    assert.ok(!text.includes('PRIVATE KEY'))
  })
})

describe('the action list', () => {
  it('holds every action, grouped', async () => {
    const expected: Record<string, [string, string]> = {
      'set-public-url': ['Setup', 'any'],
      'create-admin-invite': ['Accounts', 'only-running'],
      'password-reset-link': ['Accounts', 'only-running'],
      'reset-two-factor': ['Accounts', 'only-running'],
      'configure-digest-smtp': ['Digest', 'any'],
      'configure-digest': ['Digest', 'any'],
      'set-spark-endpoint': ['Digest', 'any'],
      'configure-gmail': ['Gmail', 'any'],
      'gmail-user-sync': ['Gmail', 'only-running'],
    }
    for (const [id, [group, statuses]] of Object.entries(expected)) {
      const action = actions.get(id as any)
      assert.ok(action, `no action ${id}`)
      const metadata = await action.exportMetadata({ effects: fakeEffects })
      assert.equal(metadata.group, group, id)
      assert.equal(metadata.allowedStatuses, statuses, id)
      assert.ok(metadata.name && metadata.description, id)
    }
  })
})
