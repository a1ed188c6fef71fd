/**
 * The address the team opens the CRM at (CRM_PUBLIC_URL): one of the package's own
 * interface addresses (LAN IP, .local, Tor, a clearnet domain the user added), or typed.
 */
import { T } from '@start9labs/start-sdk'
import { addressChoices, publicUrlSummary, storedPublicUrl, UiAddress } from '../config/forms'
import { hostId, uiInterfaceId, uiPort } from '../crm'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

const { InputSpec, Value, Variants } = sdk

/** The Web UI's addresses a browser can reach, described (no loopback, link-local or bridge). */
async function uiAddressInfo(effects: T.Effects): Promise<UiAddress[]> {
  const host = await sdk.host.getOwn(effects, hostId).once()
  const address = host?.bindings[uiPort]?.interfaces[uiInterfaceId]?.addressInfo.nonLocal
  if (!address) return []
  return address.hostnames.map((h) => ({
    url: address.toUrl(h),
    hostname: h.hostname,
    kind: h.metadata.kind,
    public: h.public,
  }))
}

const noAddress = 'none'

export const inputSpec = InputSpec.of({
  choice: Value.union({
    name: 'Public URL',
    description:
      'The address the team opens. Invite, password reset and setup links start with it, and with https:// the session cookie is marked Secure.',
    default: 'address',
    variants: Variants.of({
      address: {
        name: "One of this service's addresses",
        spec: InputSpec.of({
          url: Value.dynamicSelect(async ({ effects }) => {
            const choices = addressChoices(await uiAddressInfo(effects))
            const urls = Object.keys(choices)
            return {
              name: 'Address',
              description:
                'LAN addresses work on the local network, .onion ones over Tor, a clearnet domain from anywhere. Add a domain in the Web UI interface settings to see it here.',
              values: urls.length ? choices : { [noAddress]: 'No address yet' },
              default: urls.find((url) => url.startsWith('https://')) ?? urls[0] ?? noAddress,
              disabled: urls.length ? false : 'No address yet: start the service once, or type one under "Another URL"',
            }
          }),
        }),
      },
      custom: {
        name: 'Another URL',
        spec: InputSpec.of({
          url: Value.text({
            name: 'URL',
            description:
              'For example the address of a reverse proxy in front of this server: https://crm.fund.example',
            required: true,
            default: null,
            inputmode: 'url',
            placeholder: 'https://crm.fund.example',
            patterns: [{ regex: '^https?://[^/\\s?#]+/?$', description: 'http:// or https:// and a host, no path' }],
          }),
        }),
      },
      none: { name: 'None (links use the address the admin opened)', spec: InputSpec.of({}) },
    }),
  }),
})

export const setPublicUrl = sdk.Action.withInput(
  'set-public-url',

  async () => ({
    name: 'Set Public URL',
    description:
      'Choose the address the team opens Venture CRM at, so invite, reset and setup links open from their browsers.',
    warning: null,
    allowedStatuses: 'any',
    group: 'Setup',
    visibility: 'enabled',
  }),

  inputSpec,

  async ({ effects }) => {
    const current = await storeJson.read((store) => store.publicUrl).once()
    if (!current) return { choice: { selection: 'address' as const } }
    const listed = current in addressChoices(await uiAddressInfo(effects))
    return listed
      ? { choice: { selection: 'address' as const, value: { url: current } } }
      : { choice: { selection: 'custom' as const, value: { url: current } } }
  },

  // The service restarts on the change; main.ts passes the URL as CRM_PUBLIC_URL.
  async ({ effects, input }) => {
    const publicUrl = storedPublicUrl(input.choice)
    await storeJson.merge(effects, { publicUrl })
    return {
      version: '1',
      title: publicUrl ? 'Public URL set' : 'Public URL removed',
      message: publicUrlSummary(publicUrl),
      result: publicUrl
        ? { type: 'single', value: publicUrl, copyable: true, qr: true, masked: false }
        : null,
    }
  },
)
