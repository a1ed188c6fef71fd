import { createAdminInvite } from '../actions/createAdminInvite'
import { sdk } from '../sdk'

/** On install, point the user at the one-time link for the first admin. */
export const adminInviteTask = sdk.setupOnInit(async (effects, kind) => {
  if (kind !== 'install') return
  await sdk.action.createOwnTask(effects, createAdminInvite, 'important', {
    reason: 'Start the service, then create the one-time link for the first admin account',
  })
})
