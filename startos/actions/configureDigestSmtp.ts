import { SmtpSelection, smtpPrefill } from '@start9labs/start-sdk'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

export const inputSpec = sdk.InputSpec.of({
  smtp: sdk.inputSpecConstants.smtpInputSpec,
})

type SmtpInput = typeof inputSpec._TYPE.smtp

/**
 * Only the chosen branch is kept: the form also returns what was typed under the
 * other choices, and a custom password must not linger once `system` is chosen.
 */
function storedSmtp(input: SmtpInput): SmtpSelection {
  switch (input.selection) {
    case 'disabled':
      return { selection: 'disabled', value: {} }
    case 'system':
      return { selection: 'system', value: { customFrom: input.value.customFrom } }
    case 'custom': {
      const { selection, value } = input.value.provider
      const security = value.security.selection
      return {
        selection: 'custom',
        value: {
          provider: {
            selection,
            value: {
              host: value.host,
              from: value.from,
              username: value.username,
              password: value.password,
              security: {
                selection: security,
                value: { port: value.security.value.port || (security === 'tls' ? '465' : '587') },
              },
            },
          },
        },
      }
    }
  }
}

export const configureDigestSmtp = sdk.Action.withInput(
  'configure-digest-smtp',

  async () => ({
    name: 'Configure Digest Email',
    description:
      "The SMTP account the CRM sends its daily digest and test emails from: none, this server's account, or an account of the CRM's own.",
    warning: null,
    allowedStatuses: 'any',
    group: 'Digest',
    visibility: 'enabled',
  }),

  inputSpec,

  async () => ({
    smtp: smtpPrefill(await storeJson.read((store) => store.smtp).once()),
  }),

  // The service restarts on the change and main.ts writes /data/secrets/smtp/ from it.
  async ({ effects, input }) => {
    const store = await storeJson.read().once()
    if (!store) throw new Error('store.json is missing: reinstall Venture CRM')
    // write, not merge: a merge would keep the fields of the previous choice.
    await storeJson.write(effects, { ...store, smtp: storedSmtp(input.smtp) })
  },
)
