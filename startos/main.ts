import { healthFns } from '@start9labs/start-sdk'
import { crmSettings } from './config/mapping'
import { crmEnv, crmMounts, crmUser, uiPort } from './crm'
import { prepareDataVolume, writeSecretFiles } from './dataVolume'
import { storeJson } from './fileModels/store.json'
import { sdk } from './sdk'
import { smtpAccountInEffect } from './smtpAccount'

const readyUrl = `http://127.0.0.1:${uiPort}/api/ready`

type ReadyBody = { checks?: { ok: boolean; detail: string }[] }

/** GET /api/ready: 200 when the database is writable and migrated, 503 with the failing checks. */
async function crmReadiness(): Promise<healthFns.HealthCheckResult> {
  try {
    const response = await fetch(readyUrl, { signal: AbortSignal.timeout(5000) })
    if (response.ok) {
      return { result: 'success', message: 'The CRM is ready' }
    }
    const body = (await response.json().catch(() => ({}))) as ReadyBody
    const failing = (body.checks ?? []).filter((c) => !c.ok).map((c) => c.detail)
    return {
      result: 'failure',
      message: `Not ready (HTTP ${response.status}): ${failing.join('; ') || 'no detail'}`,
    }
  } catch {
    // Reported as "starting" during the grace period, as a failure after it.
    return { result: 'failure', message: `No answer from ${readyUrl}` }
  }
}

export const main = sdk.setupMain(async ({ effects }) => {
  // const(): a change made by an action (or to the system SMTP) restarts the service.
  const store = await storeJson.read().const(effects)
  if (!store) {
    throw new Error('store.json is missing: reinstall Venture CRM or restore a backup')
  }

  await prepareDataVolume()
  // config/mapping.ts: the public URL as an environment variable, every other choice as a
  // 0600 file under secrets/ (the tests check this mapping against a real server).
  const settings = crmSettings(store, await smtpAccountInEffect(effects, store.smtp))
  await writeSecretFiles(settings.files)

  return sdk.Daemons.of(effects).addDaemon('primary', {
    subcontainer: sdk.SubContainer.of(effects, { imageId: 'main' }, crmMounts, 'crm'),
    exec: {
      // The image's docker_entrypoint.sh exports SMTP_*/SPARK_* from the files, then `crm serve`.
      command: sdk.useEntrypoint(),
      env: { ...crmEnv, ...settings.env },
      user: crmUser.name,
    },
    ready: {
      display: 'Web interface',
      gracePeriod: 60_000,
      fn: crmReadiness,
    },
    requires: [],
  })
})
