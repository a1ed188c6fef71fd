/**
 * The digest's SMTP account: from the stored selection to the values the CRM
 * reads as SMTP_* (plugins/smtp/settings.py).
 */
import { SmtpSelection, T } from '@start9labs/start-sdk'
import { SecretFiles } from './dataVolume'
import { sdk } from './sdk'

/**
 * The account in effect. `system` follows the server-wide account and, read
 * with `const()`, restarts the service when it changes; `custom` is this
 * package's own account and never looks at the system one.
 */
export async function smtpAccountInEffect(
  effects: T.Effects,
  selection: SmtpSelection,
): Promise<T.SmtpValue | null> {
  if (selection.selection === 'system') {
    const system = await sdk.getSystemSmtp(effects).const()
    if (!system) return null
    const customFrom = selection.value.customFrom
    return customFrom ? { ...system, from: customFrom } : system
  }
  if (selection.selection === 'custom') {
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
  return null
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
