import { sdk } from '../sdk'
import { passwordResetLink, resetTwoFactor } from './accountRecovery'
import { configureDigestSmtp } from './configureDigestSmtp'
import { createAdminInvite } from './createAdminInvite'
import { setSparkEndpoint } from './setSparkEndpoint'

export const actions = sdk.Actions.of()
  .addAction(createAdminInvite)
  .addAction(passwordResetLink)
  .addAction(resetTwoFactor)
  .addAction(configureDigestSmtp)
  .addAction(setSparkEndpoint)
