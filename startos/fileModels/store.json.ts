import { FileHelper, smtpShape, z } from '@start9labs/start-sdk'
import { sdk } from '../sdk'

const sparkShape = z.object({
  baseUrl: z.string().nullable().catch(null),
  model: z.string().nullable().catch(null),
  apiKey: z.string().nullable().catch(null),
})

/**
 * What the user chose through the actions, plus the secret key made at install.
 * It sits at the volume root as /data/store.json; main.ts keeps it root-only (0600).
 */
const shape = z.object({
  secretKey: z.string().min(32),
  smtp: smtpShape,
  spark: sparkShape.catch({ baseUrl: null, model: null, apiKey: null }),
})

export type Store = z.infer<typeof shape>

export const storeJson = FileHelper.json(
  { base: sdk.volumes.main, subpath: './store.json' },
  shape,
)
