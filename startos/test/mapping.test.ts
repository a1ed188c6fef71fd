/** store.json to the CRM's environment and secret files (config/mapping.ts), end to end. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { storedDigest, storedGmail, storedPublicUrl, storedSpark } from '../config/forms'
import { crmSettings, customSmtpAccount, sparkNetworks } from '../config/mapping'
import { Store, storeShape } from '../config/storeShape'
import { freshStore, secretKey, serviceAccount } from './fixtures'

/** A store after a user ran every configuration action, as the actions build it. */
function configuredStore(): Store {
  const store = freshStore()
  return {
    ...store,
    publicUrl: storedPublicUrl({ selection: 'custom', value: { url: 'https://crm.fund.example/' } }),
    gmail: storedGmail(store.gmail, {
      key: { selection: 'replace', value: { json: JSON.stringify(serviceAccount) } },
      workspaceDomain: 'fund.example',
      fundDomains: 'fund.example, gp.fund.example',
    }),
    digest: storedDigest({ enabled: false, sendAt: '06:15', tz: 'America/New_York' }),
    spark: storedSpark({
      baseUrl: 'http://100.101.102.103:8000/v1',
      model: 'llama',
      apiKey: 'sk-spark',
      allowTailscale: true,
      allowNetworks: ['10.8.0.0/16'],
    }),
  }
}

describe('a fresh install', () => {
  it('sets no public URL and removes every optional file', () => {
    const { env, files } = crmSettings(freshStore(), null)
    assert.deepEqual(env, {})
    assert.equal(files.secret_key, secretKey)
    const optional = Object.entries(files).filter(([path]) => path !== 'secret_key')
    assert.ok(optional.length >= 15)
    assert.deepEqual(optional.filter(([, value]) => value !== null), [])
  })
  it('reads a store.json of the previous version (no new groups) with the defaults', () => {
    const old = { secretKey, smtp: { selection: 'disabled', value: {} }, spark: { baseUrl: 'http://10.0.0.2/v1', model: 'm', apiKey: null } }
    const store = storeShape.parse(old)
    assert.equal(store.publicUrl, null)
    assert.deepEqual(store.spark, { baseUrl: 'http://10.0.0.2/v1', model: 'm', apiKey: null, allowNetworks: [], allowTailscale: false })
    assert.deepEqual(store.digest, { enabled: null, sendAt: null, tz: null })
    assert.equal(store.gmail.serviceAccountKey, null)
  })
})

describe('every action configured', () => {
  const store = configuredStore()
  const { env, files } = crmSettings(store, null)
  it('passes only the public URL in the environment', () => {
    assert.deepEqual(env, { CRM_PUBLIC_URL: 'https://crm.fund.example' })
  })
  it('writes each setting as the file the CRM reads', () => {
    assert.deepEqual(JSON.parse(files['gmail/service_account.json'] as string), serviceAccount)
    assert.equal(files['gmail/workspace_domain'], 'fund.example')
    assert.equal(files['gmail/fund_domains'], 'fund.example,gp.fund.example')
    assert.equal(files['digest/enabled'], 'false')
    assert.equal(files['digest/send_at'], '06:15')
    assert.equal(files['digest/tz'], 'America/New_York')
    assert.equal(files['spark/base_url'], 'http://100.101.102.103:8000/v1')
    assert.equal(files['spark/model'], 'llama')
    assert.equal(files['spark/api_key'], 'sk-spark')
    assert.equal(files['spark/allow_networks'], '10.8.0.0/16,100.64.0.0/10')
  })
  it('never puts a secret in the environment', () => {
    const secrets = [secretKey, 'sk-spark', serviceAccount.private_key]
    for (const value of Object.values(env)) {
      assert.ok(!secrets.some((secret) => value.includes(secret)))
    }
  })
  it('drops Tailscale when the opt-in is turned off again', () => {
    const off = { ...store.spark, allowTailscale: false }
    assert.deepEqual(sparkNetworks(off), ['10.8.0.0/16'])
    assert.deepEqual(sparkNetworks({ ...off, allowNetworks: [] }), [])
    assert.equal(crmSettings({ ...store, spark: { ...off, allowNetworks: [] } }, null).files['spark/allow_networks'], null)
  })
})

describe('SMTP', () => {
  const custom = {
    selection: 'custom' as const,
    value: {
      provider: {
        selection: 'other',
        value: {
          host: 'smtp.fund.example',
          from: 'CRM <crm@fund.example>',
          username: 'crm@fund.example',
          password: 'smtp-pass',
          security: { selection: 'starttls' as const, value: { port: '587' } },
        },
      },
    },
  }
  it('maps the package account to secrets/smtp/', () => {
    const store = { ...freshStore(), smtp: custom } as Store
    const { files } = crmSettings(store, customSmtpAccount(store.smtp))
    assert.deepEqual(
      Object.fromEntries(Object.entries(files).filter(([path]) => path.startsWith('smtp/'))),
      {
        'smtp/host': 'smtp.fund.example',
        'smtp/port': '587',
        'smtp/from': 'CRM <crm@fund.example>',
        'smtp/security': 'starttls',
        'smtp/username': 'crm@fund.example',
        'smtp/password': 'smtp-pass',
      },
    )
    assert.equal(customSmtpAccount({ selection: 'disabled', value: {} }), null)
  })
})

describe('render.js', () => {
  it('prints the mapping of a store.json file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'startos-render-'))
    const path = join(folder, 'store.json')
    const store = configuredStore()
    writeFileSync(path, JSON.stringify(store))
    const out = execFileSync(process.execPath, [join(__dirname, '..', 'config', 'render.js'), path], { encoding: 'utf8' })
    assert.deepEqual(JSON.parse(out), crmSettings(store, null))
  })
})
