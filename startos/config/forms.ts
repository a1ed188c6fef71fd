/**
 * From an action's form to what store.json keeps. Each function checks the input (an
 * InputError names the field) and returns the new stored value; the actions only read
 * and write store.json around them. Pure, so the node tests run them directly.
 */
import {
  domainFrom,
  domainListFrom,
  emailFrom,
  InputError,
  publicUrlFrom,
  sendAtFrom,
  serviceAccountKeyFrom,
  timeZoneFrom,
} from './checks'
import { addressIn, privateRangeFrom, tailscaleRange } from './networks'
import { DigestConfig, GmailConfig, SparkConfig } from './storeShape'

/** One of the Web UI's addresses, as the host info describes it. */
export type UiAddress = {
  url: string
  hostname: string
  kind: string
  public: boolean
}

/** A label that says where an address works: LAN, .local, Tor or a clearnet domain. */
export function addressLabel(address: UiAddress): string {
  const where = (() => {
    if (address.hostname.endsWith('.onion')) return 'Tor (.onion)'
    switch (address.kind) {
      case 'mdns':
        return 'LAN (.local)'
      case 'ipv4':
      case 'ipv6':
        return address.public ? 'Public IP' : 'LAN IP'
      case 'public-domain':
        return 'Clearnet domain'
      case 'private-domain':
        return 'Private domain'
      default:
        return address.public ? 'Public' : 'Private'
    }
  })()
  return `${address.url} (${where})`
}

/** The public URL choices: each usable address once, keyed by its origin. */
export function addressChoices(addresses: UiAddress[]): Record<string, string> {
  const choices: Record<string, string> = {}
  for (const address of addresses) {
    const origin = new URL(address.url).origin
    choices[origin] ??= addressLabel({ ...address, url: origin })
  }
  return choices
}

export type PublicUrlChoice =
  | { selection: 'address'; value: { url: string } }
  | { selection: 'custom'; value: { url: string } }
  | { selection: 'none'; value: Record<string, never> | Record<string, unknown> }

/** The CRM_PUBLIC_URL to keep: a listed address, a typed one, or none. */
export function storedPublicUrl(choice: PublicUrlChoice): string | null {
  switch (choice.selection) {
    case 'address':
      return publicUrlFrom(choice.value.url, 'Address')
    case 'custom':
      return publicUrlFrom(choice.value.url, 'URL')
    case 'none':
      return null
  }
}

export type GmailInput = {
  key:
    | { selection: 'keep'; value: unknown }
    | { selection: 'replace'; value: { json: string } }
    | { selection: 'remove'; value: unknown }
  workspaceDomain: string | null
  fundDomains: string | null
}

/** The Gmail settings to keep; the key stays as it was unless replaced or removed. */
export function storedGmail(previous: GmailConfig, input: GmailInput): GmailConfig {
  let serviceAccountKey = previous.serviceAccountKey
  if (input.key.selection === 'replace') {
    serviceAccountKey = serviceAccountKeyFrom(input.key.value.json, 'Service account key').json
  } else if (input.key.selection === 'remove') {
    serviceAccountKey = null
  }
  const workspace = input.workspaceDomain?.trim()
  return {
    serviceAccountKey,
    workspaceDomain: workspace ? domainFrom(workspace, 'Workspace domain') : null,
    fundDomains: domainListFrom(input.fundDomains ?? '', "Fund's own domains"),
  }
}

export type GmailSyncInput = {
  email: string
  sync: { selection: 'on'; value: { address: string | null } } | { selection: 'off'; value: unknown }
}

/** The `crm gmail ...` command that turns one user's sync on or off. */
export function gmailSyncCommand(input: GmailSyncInput): string[] {
  const email = emailFrom(input.email, 'User')
  if (input.sync.selection === 'off') return ['crm', 'gmail', 'disable', '--user', email]
  const address = input.sync.value.address?.trim()
  return address
    ? ['crm', 'gmail', 'enable', '--user', email, '--address', emailFrom(address, 'Gmail address')]
    : ['crm', 'gmail', 'enable', '--user', email]
}

export type DigestInput = { enabled: boolean; sendAt: string; tz: string }

export function storedDigest(input: DigestInput): DigestConfig {
  return {
    enabled: input.enabled,
    sendAt: sendAtFrom(input.sendAt, 'Send time'),
    tz: timeZoneFrom(input.tz, 'Time zone'),
  }
}

export type SparkInput = {
  baseUrl: string
  model: string
  apiKey: string | null
  allowTailscale: boolean
  allowNetworks: string[]
}

/** The model server's settings; an endpoint on Tailscale needs the Tailscale opt-in. */
export function storedSpark(input: SparkInput): SparkConfig {
  let url: URL
  try {
    url = new URL(input.baseUrl.trim())
  } catch {
    throw new InputError('Base URL', `${JSON.stringify(input.baseUrl.trim())} is not a URL such as http://192.168.1.20:8000/v1`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError('Base URL', 'it must start with http:// or https://')
  }
  const model = input.model.trim()
  if (!model) throw new InputError('Model', 'the model name is required')
  const allowNetworks = [...new Set(input.allowNetworks.map((text) => privateRangeFrom(text)))]
  const allowed = input.allowTailscale ? [...allowNetworks, tailscaleRange] : allowNetworks
  if (addressIn(url.hostname, [tailscaleRange]) && !addressIn(url.hostname, allowed)) {
    throw new InputError(
      'Base URL',
      `${url.hostname} is a Tailscale address (${tailscaleRange}): turn on "Allow Tailscale" or add its range`,
    )
  }
  return {
    baseUrl: url.href.replace(/\/$/, ''),
    model,
    apiKey: input.apiKey || null,
    allowNetworks,
    allowTailscale: input.allowTailscale,
  }
}

/** What the Public URL action tells the admin after saving. */
export function publicUrlSummary(url: string | null): string {
  if (!url) {
    return 'No public URL: links made in the web app use the address the admin opened, and admins see a warning banner. Venture CRM restarts to apply it.'
  }
  const https = url.startsWith('https://')
  const privateName = /\.(onion|local)$/.test(new URL(url).hostname)
  const cookie = https
    ? 'The session cookie is marked Secure.'
    : privateName
      ? 'Over http:// the session cookie is not marked Secure (Tor and .local addresses are still private to their networks).'
      : 'Over http:// the session cookie is not marked Secure: choose an https:// address when the team has one.'
  return `Invite, password reset and setup links now start with ${url}. ${cookie} Venture CRM restarts to apply it.`
}
