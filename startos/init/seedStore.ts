import { randomBytes } from 'node:crypto'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

/** On install, a fresh store: a new secret key, no SMTP account, no Spark endpoint. */
export const seedStore = sdk.setupOnInit(async (effects, kind) => {
  if (kind !== 'install') return
  await storeJson.write(effects, {
    // Keys the HMACs of sessions and invite links (CRM_SECRET_KEY); 48 bytes like the CRM's own.
    secretKey: randomBytes(48).toString('base64url'),
    smtp: { selection: 'disabled', value: {} },
    spark: { baseUrl: null, model: null, apiKey: null },
  })
})
