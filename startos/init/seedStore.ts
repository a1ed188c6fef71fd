import { randomBytes } from 'node:crypto'
import { noDigest, noGmail, noSpark } from '../config/storeShape'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

/** On install, a fresh store: a new secret key, nothing else chosen yet. */
export const seedStore = sdk.setupOnInit(async (effects, kind) => {
  if (kind !== 'install') return
  await storeJson.write(effects, {
    // Keys the HMACs of sessions and invite links (CRM_SECRET_KEY); 48 bytes like the CRM's own.
    secretKey: randomBytes(48).toString('base64url'),
    publicUrl: null,
    smtp: { selection: 'disabled', value: {} },
    spark: noSpark,
    gmail: noGmail,
    digest: noDigest,
  })
})
