/**
 * store.json to what the CRM reads at start: environment variables that hold nothing secret,
 * and secret files under CRM_SECRETS_DIR, each {path relative to it: content}, where
 * `null` removes the file (so a setting turned off falls back to the CRM's default).
 *
 * The file names are the CRM's settings fields: core/settings.py FileBackedSettings reads
 * CRM_SECRETS_DIR/<plugin>/<field> (gmail/workspace_domain is GMAIL_WORKSPACE_DOMAIN).
 */
import type { SmtpSelection, T } from '@start9labs/start-sdk'
import { tailscaleRange } from './networks'
import { SparkConfig, Store } from './storeShape'

export type SecretFiles = Record<string, string | null>
export type CrmSettings = { env: Record<string, string>; files: SecretFiles }

/** The package's own SMTP account (the `custom` choice); null for `disabled` and `system`. */
export function customSmtpAccount(selection: SmtpSelection): T.SmtpValue | null {
  if (selection.selection !== 'custom') return null
  const account = selection.value.provider.value
  return {
    host: account.host,
    port: Number(account.security.value.port),
    from: account.from,
    username: account.username,
    password: account.password ?? null,
    security: account.security.selection,
  }
}

/** The files of secrets/smtp/ for an account; no account removes them all. */
export function smtpSecretFiles(account: T.SmtpValue | null): SecretFiles {
  const login = account?.username || null
  return {
    host: account?.host ?? null,
    port: account ? String(account.port) : null,
    from: account?.from ?? null,
    security: account?.security ?? null,
    username: login,
    password: login ? (account?.password ?? null) : null,
  }
}

/** SPARK_ALLOW_NETWORKS: the listed ranges, plus Tailscale's when opted in. */
export function sparkNetworks(spark: SparkConfig): string[] {
  const networks = spark.allowTailscale ? [...spark.allowNetworks, tailscaleRange] : spark.allowNetworks
  return [...new Set(networks)]
}

function inFolder(folder: string, files: SecretFiles): SecretFiles {
  return Object.fromEntries(Object.entries(files).map(([name, value]) => [`${folder}/${name}`, value]))
}

const joined = (values: string[]) => (values.length ? values.join(',') : null)
const flag = (value: boolean | null) => (value === null ? null : String(value))

/** The variables added to crm.ts's crmEnv; the actions' `crm` commands get them too. */
export function crmEnvVars(store: Store): Record<string, string> {
  // Not secret: the address the team opens. https:// also makes the session cookie Secure.
  return store.publicUrl ? { CRM_PUBLIC_URL: store.publicUrl } : {}
}

/**
 * Everything the CRM reads from this package. `smtp` is the account in effect
 * (smtpAccount.ts resolves the `system` choice), so this stays free of SDK effects.
 */
export function crmSettings(store: Store, smtp: T.SmtpValue | null): CrmSettings {
  return {
    env: crmEnvVars(store),
    files: {
      secret_key: store.secretKey,
      ...inFolder('smtp', smtpSecretFiles(smtp)),
      ...inFolder('spark', {
        base_url: store.spark.baseUrl,
        model: store.spark.model,
        api_key: store.spark.apiKey,
        allow_networks: joined(sparkNetworks(store.spark)),
      }),
      ...inFolder('gmail', {
        'service_account.json': store.gmail.serviceAccountKey,
        workspace_domain: store.gmail.workspaceDomain,
        fund_domains: joined(store.gmail.fundDomains),
      }),
      ...inFolder('digest', {
        enabled: flag(store.digest.enabled),
        send_at: store.digest.sendAt,
        tz: store.digest.tz,
      }),
    },
  }
}
