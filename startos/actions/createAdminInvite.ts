import { T } from '@start9labs/start-sdk'
import { hostId, uiInterfaceId, uiPort } from '../crm'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'
import { runCrm } from './crmCommand'

const usersExist = 'Users exist already'

/** The UI's addresses a browser can reach (no loopback, link-local or bridge). */
export async function uiAddresses(effects: T.Effects) {
  const host = await sdk.host.getOwn(effects, hostId).once()
  const ui = host?.bindings[uiPort]?.interfaces[uiInterfaceId]
  return ui ? ui.addressInfo.nonLocal.format('urlstring') : []
}

export const createAdminInvite = sdk.Action.withoutInput(
  'create-admin-invite',

  async () => ({
    name: 'Create Admin Invite',
    description:
      'A one-time link that creates the first admin account. Works only while the CRM has no users; each new link replaces the previous one.',
    warning: null,
    allowedStatuses: 'only-running',
    group: 'Accounts',
    visibility: 'enabled',
  }),

  async ({ effects }) => {
    // `crm users setup-link` in a container of the same image, volume and settings as the daemon.
    const run = await runCrm(effects, 'setup-link', ['crm', 'users', 'setup-link'])
    const stdout = run.stdout.toString().trim()
    const stderr = run.stderr.toString().trim()
    if (run.exitCode !== 0) {
      if (stderr.includes(usersExist)) {
        return {
          version: '1',
          title: 'An admin exists already',
          message:
            'The CRM has users, so there is no first-admin link. An admin invites people from the CRM itself.',
          result: null,
        }
      }
      throw new Error(`crm users setup-link failed: ${stderr || `exit ${run.exitCode}`}`)
    }

    // The CLI prints http://HOST:PORT/setup#token=...; the token is what matters.
    const token = stdout.split('#token=')[1]?.split(/\s/)[0]
    if (!token) throw new Error('crm users setup-link printed no link')
    const links = await linksTo(effects, `/setup#token=${token}`)

    return {
      version: '1',
      title: 'First admin invite',
      message: `${links.length === 1 ? 'Open this link' : 'Open one of these links'} to create the first admin account. It works once and expires after CRM_INVITE_HOURS (72 hours by default). Keep it private.`,
      result: linkGroup(links),
    }
  },
)

/**
 * `fragment` (a path with its #token) on the public URL when one is set (the Public URL
 * action), else on each address of the Web UI.
 */
export async function linksTo(effects: T.Effects, fragment: string) {
  const publicUrl = await storeJson.read((store) => store.publicUrl).once()
  if (publicUrl) return [{ name: publicUrl, value: publicUrl + fragment }]
  const addresses = await uiAddresses(effects)
  return addresses.length
    ? addresses.map((address) => ({ name: address, value: address.replace(/\/$/, '') + fragment }))
    : [{ name: 'Path on any of the Web UI addresses', value: fragment }]
}

/** Links as an action's result: copyable, masked (each one holds a secret token). */
export function linkGroup(links: { name: string; value: string }[]) {
  return {
    type: 'group' as const,
    value: links.map(({ name, value }) => ({
      type: 'single' as const,
      name,
      description: null,
      value,
      copyable: true,
      qr: false,
      masked: true,
    })),
  }
}
