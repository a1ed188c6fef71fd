/**
 * CIDR ranges the Spark model server may be in (SPARK_ALLOW_NETWORKS). The CRM refuses a
 * public range; this refuses it earlier, in the action, with the same reason: digest text
 * must stay on the fund's own network.
 */
import { InputError } from './checks'

/** Tailscale's addresses (CGNAT space): not a private range, so only on explicit opt-in. */
export const tailscaleRange = '100.64.0.0/10'

type Family = 4 | 6
type Range = { family: Family; first: bigint; prefix: number }

const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const ipv4Pattern = new RegExp(`^${octet}(\\.${octet}){3}$`)

function ipv4Bits(text: string): bigint | null {
  if (!ipv4Pattern.test(text)) return null
  return text.split('.').reduce((bits, part) => (bits << 8n) | BigInt(part), 0n)
}

function ipv6Bits(text: string): bigint | null {
  if (!/^[0-9a-f:.]+$/i.test(text) || text.split('::').length > 2) return null
  const last = text.slice(text.lastIndexOf(':') + 1)
  if (!last.includes('.')) {
    const groups = groupsOf(text)
    return groups && groupsToBits(groups)
  }
  // An IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const v4 = ipv4Bits(last)
  const groups = v4 === null ? null : groupsOf(text.slice(0, -last.length) + '0:0')
  if (v4 === null || !groups) return null
  groups.splice(6, 2, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16))
  return groupsToBits(groups)
}

function groupsOf(text: string): string[] | null {
  const split = (part: string) => (part ? part.split(':') : [])
  const [left, right] = text.split('::')
  let groups = split(left)
  if (right !== undefined) {
    // "::" stands for one or more zero groups.
    const missing = 8 - groups.length - split(right).length
    if (missing < 1) return null
    groups = [...groups, ...Array<string>(missing).fill('0'), ...split(right)]
  }
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null
  return groups
}

function groupsToBits(groups: string[]): bigint {
  return groups.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n)
}

function parseRange(text: string): Range | null {
  const [address, prefixText, extra] = text.split('/')
  if (extra !== undefined || !prefixText || !/^\d{1,3}$/.test(prefixText)) return null
  const prefix = Number(prefixText)
  const v4 = ipv4Bits(address)
  if (v4 !== null) return prefix <= 32 ? { family: 4, first: v4, prefix } : null
  const v6 = ipv6Bits(address)
  if (v6 !== null) return prefix <= 128 ? { family: 6, first: v6, prefix } : null
  return null
}

const width = (family: Family) => (family === 4 ? 32 : 128)
const hostMask = (range: Range) => (1n << BigInt(width(range.family) - range.prefix)) - 1n

function networkText(range: Range): string {
  if (range.family === 4) {
    const parts = [24n, 16n, 8n, 0n].map((shift) => String((range.first >> shift) & 0xffn))
    return `${parts.join('.')}/${range.prefix}`
  }
  const groups = [...Array(8).keys()].map((i) => ((range.first >> BigInt(112 - 16 * i)) & 0xffffn).toString(16))
  return `${groups.join(':')}/${range.prefix}`
}

// The ranges that are never on the public internet (RFC 1918, CGNAT, loopback, link-local,
// benchmarking; IPv6 loopback, unique local, link-local).
const nonPublic = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
].map((text) => parseRange(text) as Range)

function within(inner: Range, outer: Range): boolean {
  if (inner.family !== outer.family || inner.prefix < outer.prefix) return false
  return (inner.first & ~hostMask(outer)) === outer.first
}

/** A private network such as 100.64.0.0/10 or 10.8.0.0/16, in the form the CRM reads. */
export function privateRangeFrom(text: string, field = 'Allowed private ranges'): string {
  const trimmed = text.trim()
  const range = parseRange(trimmed.toLowerCase())
  if (!range) {
    throw new InputError(field, `${JSON.stringify(trimmed)} is not a network such as 100.64.0.0/10 (address/prefix length)`)
  }
  if ((range.first & hostMask(range)) !== 0n) {
    const network = networkText({ ...range, first: range.first & ~hostMask(range) })
    throw new InputError(field, `${trimmed} has host bits set: the network is ${network}`)
  }
  if (!nonPublic.some((block) => within(range, block))) {
    throw new InputError(field, `${trimmed} is (partly) a public range: digest text must stay on the fund's own network`)
  }
  return range.family === 4 ? networkText(range) : trimmed.toLowerCase()
}

/** True when `address` (an IP literal) lies in one of the CIDR `ranges`. */
export function addressIn(address: string, ranges: string[]): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase()
  const host = parseRange(`${bare}/${bare.includes(':') ? 128 : 32}`)
  if (!host) return false
  return ranges.some((text) => {
    const range = parseRange(text.toLowerCase())
    return range !== null && within(host, range)
  })
}
