/** Shared test data: a store.json as seedStore.ts writes it, and a service-account key. */
import { Store, storeShape } from '../config/storeShape'

export const secretKey = 'k'.repeat(64)

/** A fresh install's store.json, parsed the way the package reads it. */
export function freshStore(): Store {
  return storeShape.parse({
    secretKey,
    publicUrl: null,
    smtp: { selection: 'disabled', value: {} },
  })
}

// Not a real key: the package checks the fields, Google checks the key.
export const serviceAccount = {
  type: 'service_account',
  project_id: 'fund-crm',
  private_key_id: 'abc123',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
  client_email: 'crm-sync@fund-crm.iam.gserviceaccount.com',
  client_id: '1234567890',
  token_uri: 'https://oauth2.googleapis.com/token',
}

const tor = 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion'

/** The web UI's addresses as StartOS reports them: bridge, loopback, LAN, .local, Tor, a domain. */
const available = [
  { ssl: false, public: false, hostname: '10.0.3.12', port: 8080, metadata: { kind: 'ipv4', gateway: 'lxcbr0' } },
  { ssl: false, public: false, hostname: 'localhost', port: 8080, metadata: { kind: 'private-domain', gateways: ['lo'] } },
  { ssl: false, public: false, hostname: '192.168.1.20', port: 41234, metadata: { kind: 'ipv4', gateway: 'eth0' } },
  { ssl: true, public: false, hostname: 'venture-crm.local', port: 443, metadata: { kind: 'mdns', gateways: ['eth0'] } },
  { ssl: false, public: true, hostname: tor, port: 80, metadata: { kind: 'plugin', packageId: 'tor', removeAction: null, overflowActions: [], info: null } },
  { ssl: true, public: true, hostname: 'crm.fund.example', port: 443, metadata: { kind: 'public-domain', gateway: 'eth0' } },
]

/** Fake effects: the host info the Set Public URL form reads, and what exportMetadata calls. */
export const fakeEffects = {
  child() {
    return fakeEffects
  },
  action: { export: async () => null },
  getHostInfo: async () => ({
    bindings: {
      8080: {
        enabled: true,
        options: {},
        net: {},
        addresses: { enabled: [], disabled: [], guaWan: [], available },
        interfaces: {
          ui: {
            id: 'ui',
            name: 'Web UI',
            description: '',
            masked: false,
            type: 'ui',
            addressInfo: { username: null, hostId: 'main', internalPort: 8080, scheme: 'http', sslScheme: 'https', suffix: '' },
          },
        },
      },
    },
    bindingRanges: {},
    publicDomains: {},
    privateDomains: {},
    portForwards: [],
  }),
} as any

export const torUrl = `http://${tor}`
