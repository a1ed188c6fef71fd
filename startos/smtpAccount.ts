/**
 * The digest's SMTP account: from the stored selection to the values the CRM
 * reads as SMTP_* (plugins/smtp/settings.py).
 */
import { SmtpSelection, T } from '@start9labs/start-sdk'
import { customSmtpAccount } from './config/mapping'
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
  return customSmtpAccount(selection)
}
