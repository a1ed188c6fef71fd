import { sdk } from './sdk'

/** The whole data volume: database, secret files and store.json. */
export const { createBackup, restoreInit } = sdk.setupBackups(async () =>
  sdk.Backups.ofVolumes('main'),
)
