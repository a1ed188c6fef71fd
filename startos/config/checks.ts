/**
 * Checks of what a user types into the actions. Each returns the value as the CRM wants
 * it, or throws an InputError whose message names the field and says what to type.
 * Pure functions: no SDK effects, so the node tests call them directly.
 */

export class InputError extends Error {
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`)
    this.name = 'InputError'
  }
}

/** An http(s) origin such as https://crm.fund.example, without a trailing slash. */
export function publicUrlFrom(text: string, field = 'Public URL'): string {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    throw new InputError(field, `${JSON.stringify(text)} is not a URL such as https://crm.fund.example`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(field, 'it must start with http:// or https://')
  }
  if (url.username || url.password) {
    throw new InputError(field, 'it must not hold a user name or password')
  }
  // The web app and its links live at the root: /invite, /reset, /setup, /assets.
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new InputError(field, 'only the scheme, host and port: the CRM is served from the root path')
  }
  return url.origin
}

/** The parsed key: the JSON as stored, and the account's address (shown, never the key). */
export type ServiceAccountKey = { json: string; clientEmail: string }

/** A Google service-account JSON key: type service_account, client_email and private_key. */
export function serviceAccountKeyFrom(text: string, field = 'Service account key'): ServiceAccountKey {
  let key: unknown
  try {
    key = JSON.parse(text.trim())
  } catch {
    throw new InputError(field, 'not valid JSON: paste the whole .json file Google gave you')
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) {
    throw new InputError(field, 'expected a JSON object, the service account key file')
  }
  const { type, client_email: clientEmail, private_key: privateKey } = key as Record<string, unknown>
  if (type !== 'service_account') {
    throw new InputError(field, `"type" is ${JSON.stringify(type ?? null)}, not "service_account": create a key for a service account (not an OAuth client)`)
  }
  if (typeof clientEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(clientEmail)) {
    throw new InputError(field, 'the key has no "client_email"')
  }
  if (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY-----')) {
    throw new InputError(field, 'the key has no "private_key" in PEM form')
  }
  return { json: JSON.stringify(key), clientEmail }
}

/** The account address of a stored key, or null when none is installed or it is unreadable. */
export function installedKeyEmail(json: string | null): string | null {
  if (!json) return null
  try {
    return serviceAccountKeyFrom(json).clientEmail
  } catch {
    return null
  }
}

const domainPattern = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/

/** A domain such as fund.example (lower case, no leading @). */
export function domainFrom(text: string, field: string): string {
  const domain = text.trim().toLowerCase().replace(/^@/, '')
  if (!domainPattern.test(domain)) {
    throw new InputError(field, `${JSON.stringify(text.trim())} is not a domain such as fund.example`)
  }
  return domain
}

/** Domains separated by commas or spaces, each checked, without repeats. */
export function domainListFrom(text: string, field: string): string[] {
  const parts = text.split(/[\s,]+/).filter(Boolean)
  return [...new Set(parts.map((part) => domainFrom(part, field)))]
}

/** An email address, trimmed. */
export function emailFrom(text: string, field = 'Email'): string {
  const email = text.trim()
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new InputError(field, `${JSON.stringify(email)} is not an email address`)
  }
  return email
}

/** A 24-hour time, HH:MM (7:30 becomes 07:30). */
export function sendAtFrom(text: string, field = 'Send time'): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim())
  if (!match) {
    throw new InputError(field, `${JSON.stringify(text.trim())} is not a time such as 07:30 (24-hour HH:MM)`)
  }
  return `${match[1].padStart(2, '0')}:${match[2]}`
}

/**
 * An IANA time zone in its proper case (the CRM's zoneinfo is case-sensitive): one of
 * Intl.supportedValuesOf('timeZone'), UTC, or a name Intl resolves (older aliases).
 */
export function timeZoneFrom(text: string, field = 'Time zone'): string {
  const name = text.trim()
  const known = ['UTC', ...Intl.supportedValuesOf('timeZone')]
  const listed = known.find((zone) => zone.toLowerCase() === name.toLowerCase())
  if (listed) return listed
  if (/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(name)) {
    try {
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
      if (resolved.toLowerCase() === name.toLowerCase()) return resolved
    } catch {
      // not a zone Intl knows: refused below
    }
  }
  throw new InputError(field, `${JSON.stringify(name)} is not an IANA time zone such as Europe/London or America/New_York`)
}
