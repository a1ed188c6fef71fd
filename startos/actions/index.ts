import { sdk } from '../sdk'
import { passwordResetLink, resetTwoFactor } from './accountRecovery'
import { configureDigest } from './configureDigest'
import { configureDigestSmtp } from './configureDigestSmtp'
import { configureGmail } from './configureGmail'
import { createAdminInvite } from './createAdminInvite'
import { gmailUserSync } from './gmailUserSync'
import { setPublicUrl } from './setPublicUrl'
import { setSparkEndpoint } from './setSparkEndpoint'

// In the order a fund sets up (docs/deploy-startos.md); StartOS groups them by `group`.
export const actions = sdk.Actions.of()
  .addAction(setPublicUrl)
  .addAction(createAdminInvite)
  .addAction(passwordResetLink)
  .addAction(resetTwoFactor)
  .addAction(configureDigestSmtp)
  .addAction(configureDigest)
  .addAction(setSparkEndpoint)
  .addAction(configureGmail)
  .addAction(gmailUserSync)
