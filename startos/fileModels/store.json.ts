import { FileHelper } from '@start9labs/start-sdk'
import { storeShape } from '../config/storeShape'
import { sdk } from '../sdk'

export type { Store } from '../config/storeShape'

/**
 * What the user chose through the actions, plus the secret key made at install
 * (the shape is in config/storeShape.ts). It sits at the volume root as
 * /data/store.json; main.ts keeps it root-only (0600).
 */
export const storeJson = FileHelper.json(
  { base: sdk.volumes.main, subpath: './store.json' },
  storeShape,
)
