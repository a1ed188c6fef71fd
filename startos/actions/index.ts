import { sdk } from '../sdk'
import { configureDigestSmtp } from './configureDigestSmtp'
import { createAdminInvite } from './createAdminInvite'
import { setSparkEndpoint } from './setSparkEndpoint'

export const actions = sdk.Actions.of()
  .addAction(createAdminInvite)
  .addAction(configureDigestSmtp)
  .addAction(setSparkEndpoint)
