/**
 * `crm ...` in a temporary container of the daemon's image, volume, user and settings
 * (the public URL included), for the actions that act on the CRM's database.
 */
import { T } from '@start9labs/start-sdk'
import { crmEnvVars } from '../config/mapping'
import { crmEnv, crmMounts, crmUser } from '../crm'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

/** Run `args` (starting with `crm`); the exit code and output, whatever they are. */
export async function runCrm(effects: T.Effects, name: string, args: string[]) {
  const store = await storeJson.read().once()
  const env = { ...crmEnv, ...(store ? crmEnvVars(store) : {}) }
  return sdk.SubContainer.withTemp(effects, { imageId: 'main' }, crmMounts, name, (sub) =>
    sub.exec(args, { env, user: crmUser.name }),
  )
}

/** Run `args`; stdout, or an error carrying the CLI's own message. */
export async function crmOutput(effects: T.Effects, name: string, args: string[]) {
  const run = await runCrm(effects, name, args)
  if (run.exitCode !== 0) {
    const stderr = run.stderr.toString().trim()
    throw new Error(stderr.replace(/^Error: /, '') || `${args.join(' ')} failed`)
  }
  return run.stdout.toString().trim()
}
