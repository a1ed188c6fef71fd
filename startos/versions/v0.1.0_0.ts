import { IMPOSSIBLE, VersionInfo } from '@start9labs/start-sdk'

export const v0_1_0_0 = VersionInfo.of({
  version: '0.1.0:0',
  releaseNotes: 'First release: web UI, digest SMTP account, Spark endpoint and first-admin invite.',
  migrations: {
    // The first release: there is no older data to bring up, nor a version to go down to.
    up: async () => {},
    down: IMPOSSIBLE,
  },
})
