/**
 * How the CRM runs inside its container: port, paths, user and environment.
 * One place, shared by the daemon (main.ts) and the actions that exec `crm`.
 */
import { sdk } from './sdk'

export const uiPort = 8080
export const hostId = 'main'
export const uiInterfaceId = 'ui'

/** The Dockerfile's `crm` user (useradd --uid/--gid); the secret files must be theirs. */
export const crmUser = { name: 'crm', uid: 10001, gid: 10001 } as const

export const dataDir = '/data'
export const secretsDir = `${dataDir}/secrets`

export const crmMounts = sdk.Mounts.of().mountVolume({
  volumeId: 'main',
  subpath: null,
  mountpoint: dataDir,
  readonly: false,
})

/**
 * The daemon's environment. Nothing secret goes here: the SDK hands `env` to
 * `start-container` as `--env=K=V` arguments, which any process can read from
 * /proc. Secrets reach the CRM as 0600 files under `secretsDir` instead.
 */
export const crmEnv = {
  CRM_ENV: 'production',
  CRM_DATA_DIR: dataDir,
  CRM_SECRETS_DIR: secretsDir,
  CRM_HOST: '0.0.0.0',
  CRM_PORT: String(uiPort),
  // Two server processes: a home server has at least two cores (docs/operations.md).
  CRM_WORKERS: '2',
  // StartOS's reverse proxy runs on the host and reaches this container from the host's
  // address on the lxcbr0 bridge, 10.0.3.1 (HOST_IP in start-os core/src/lib.rs); for a
  // `protocol: 'http'` binding (interfaces.ts) the SDK asks it to add X-Forwarded-For, which it
  // sets to the client's address, dropping any the client sent (apply_request_policy in
  // core/src/net/http.rs). Only that address is trusted: other services' containers share the
  // bridge's 10.0.3.0/24 and could name any client they like.
  CRM_TRUSTED_PROXIES: '10.0.3.1/32',
}
