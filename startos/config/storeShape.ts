/**
 * The shape of /data/store.json: what the user chose through the actions, plus the secret
 * key made at install. No SDK effects here, so the tests load it in plain Node.
 *
 * Every group falls back to "not configured" (`.catch`), so a store.json written by an
 * older version of the package reads without a migration.
 */
import { smtpShape, z } from '@start9labs/start-sdk'

const sparkShape = z.object({
  baseUrl: z.string().nullable().catch(null),
  model: z.string().nullable().catch(null),
  apiKey: z.string().nullable().catch(null),
  // Private ranges (CIDR) the model server may be in beyond the CRM's defaults.
  allowNetworks: z.array(z.string()).catch([]),
  // Tailscale's 100.64.0.0/10, an explicit opt-in (it is not a private range).
  allowTailscale: z.boolean().catch(false),
})

const gmailShape = z.object({
  // The Google service-account JSON key as pasted; a secret, never shown back.
  serviceAccountKey: z.string().nullable().catch(null),
  workspaceDomain: z.string().nullable().catch(null),
  fundDomains: z.array(z.string()).catch([]),
})

// null: not chosen, the CRM's own default applies (on, 07:30, UTC).
const digestShape = z.object({
  enabled: z.boolean().nullable().catch(null),
  sendAt: z.string().nullable().catch(null),
  tz: z.string().nullable().catch(null),
})

export const noSpark = {
  baseUrl: null,
  model: null,
  apiKey: null,
  allowNetworks: [],
  allowTailscale: false,
}
export const noGmail = { serviceAccountKey: null, workspaceDomain: null, fundDomains: [] }
export const noDigest = { enabled: null, sendAt: null, tz: null }

export const storeShape = z.object({
  secretKey: z.string().min(32),
  // The address the team opens (CRM_PUBLIC_URL): the base of invite, reset and setup links.
  publicUrl: z.string().nullable().catch(null),
  smtp: smtpShape,
  spark: sparkShape.catch(noSpark),
  gmail: gmailShape.catch(noGmail),
  digest: digestShape.catch(noDigest),
})

export type Store = z.infer<typeof storeShape>
export type SparkConfig = Store['spark']
export type GmailConfig = Store['gmail']
export type DigestConfig = Store['digest']
