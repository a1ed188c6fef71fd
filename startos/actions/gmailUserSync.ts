/**
 * Turn one user's Gmail sync on or off with `crm gmail enable|disable`.
 *
 * An action on the CRM's database rather than a list in store.json: which mailboxes sync
 * is CRM data that admins also change in the web app (Admin, Email proposals), and the
 * CLI applies the same checks (an active user, an address in the Workspace domain) at
 * once, with no restart, and cannot drift from what the web app shows.
 */
import { gmailSyncCommand } from '../config/forms'
import { sdk } from '../sdk'
import { crmOutput } from './crmCommand'

const { InputSpec, Value, Variants } = sdk

const emailPattern = { regex: '^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$', description: 'An email address' }

export const inputSpec = InputSpec.of({
  email: Value.text({
    name: 'User',
    description: 'The email the person signs in to the CRM with.',
    required: true,
    default: null,
    inputmode: 'email',
    patterns: [emailPattern],
  }),
  sync: Value.union({
    name: 'Gmail sync',
    default: 'on',
    variants: Variants.of({
      on: {
        name: 'On',
        spec: InputSpec.of({
          address: Value.text({
            name: 'Gmail address',
            description: 'Their Workspace mailbox, when it differs from their CRM email.',
            required: false,
            default: null,
            inputmode: 'email',
            patterns: [emailPattern],
          }),
        }),
      },
      off: { name: 'Off', spec: InputSpec.of({}) },
    }),
  }),
})

export const gmailUserSync = sdk.Action.withInput(
  'gmail-user-sync',

  async () => ({
    name: 'Gmail Sync for a User',
    description:
      "Turn Gmail capture on or off for one CRM user. The result lists every user's sync state.",
    warning: null,
    allowedStatuses: 'only-running',
    group: 'Gmail',
    visibility: 'enabled',
  }),

  inputSpec,

  async () => ({ email: undefined }),

  async ({ effects, input }) => {
    const done = await crmOutput(effects, 'gmail-sync', gmailSyncCommand(input))
    const status = await crmOutput(effects, 'gmail-status', ['crm', 'gmail', 'status'])
    return {
      version: '1',
      title: input.sync.selection === 'on' ? 'Gmail sync on' : 'Gmail sync off',
      message: `${done}. Gmail is read every 15 minutes while the service runs; each new message waits in Email proposals for approval.`,
      result: {
        type: 'single',
        value: status || 'No user has Gmail sync set up',
        copyable: false,
        qr: false,
        masked: false,
      },
    }
  },
)
