/**
 * Getting back in without a shell: a password reset link for any user (the last admin
 * included) and turning off a lost second factor, each by `crm users ...` in a container of
 * the daemon's image, volume and settings.
 */
import { T } from '@start9labs/start-sdk'
import { sdk } from '../sdk'
import { crmOutput } from './crmCommand'
import { linkGroup, linksTo } from './createAdminInvite'

const { InputSpec, Value } = sdk

const emailSpec = InputSpec.of({
  email: Value.text({
    name: 'Email',
    description: 'The email address the person signs in with.',
    required: true,
    default: null,
    inputmode: 'email',
    patterns: [{ regex: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', description: 'An email address' }],
  }),
})

/** Run `crm users <command> --email E`; stdout, or an error with the CLI's message. */
function usersCommand(effects: T.Effects, command: string, email: string) {
  return crmOutput(effects, command, ['crm', 'users', command, '--email', email.trim()])
}

export const passwordResetLink = sdk.Action.withInput(
  'password-reset-link',

  async () => ({
    name: 'Password Reset Link',
    description:
      'A one-time link that sets a new password for a user, the last admin included. Using it ends their sessions; two-factor stays on.',
    warning: null,
    allowedStatuses: 'only-running',
    group: 'Accounts',
    visibility: 'enabled',
  }),

  emailSpec,

  async () => ({ email: undefined }),

  async ({ effects, input }) => {
    const stdout = await usersCommand(effects, 'reset-link', input.email)
    const token = stdout.split('#token=')[1]?.split(/\s/)[0]
    if (!token) throw new Error('crm users reset-link printed no link')
    return {
      version: '1',
      title: 'Password reset link',
      message: `Hand this link to ${input.email.trim()}. It works once and expires after CRM_INVITE_HOURS (72 hours by default); a newer link replaces it.`,
      result: linkGroup(await linksTo(effects, `/reset#token=${token}`)),
    }
  },
)

export const resetTwoFactor = sdk.Action.withInput(
  'reset-two-factor',

  async () => ({
    name: 'Reset Two-Factor',
    description:
      "Turn off a user's two-factor sign-in (a lost phone) and end their sessions. Where two-factor is required, they set it up again at their next sign-in.",
    warning: 'Only do this for a person you have confirmed is who they say they are.',
    allowedStatuses: 'only-running',
    group: 'Accounts',
    visibility: 'enabled',
  }),

  emailSpec,

  async () => ({ email: undefined }),

  async ({ effects, input }) => ({
    version: '1' as const,
    title: 'Two-factor turned off',
    message: await usersCommand(effects, 'reset-2fa', input.email),
    result: null,
  }),
)
