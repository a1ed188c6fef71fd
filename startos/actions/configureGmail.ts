/**
 * Gmail capture: the Google service-account key (a secret file, never shown back), the
 * Workspace domain it may read and the fund's own domains. Which users sync is the
 * Gmail Sync for a User action (gmailUserSync.ts).
 */
import { installedKeyEmail } from '../config/checks'
import { storedGmail } from '../config/forms'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

const { InputSpec, Value, Variants } = sdk

const domainPattern = {
  regex: '^\\s*@?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+\\s*$',
  description: 'A domain such as fund.example',
}

/** The form; `installed` is the client_email of the installed key, shown instead of the key. */
export function gmailSpecFor(installed: string | null) {
  return InputSpec.of({
    key: Value.union({
      name: 'Service account key',
      description: installed
        ? `Installed: the key of ${installed}. It is stored owner-only and never shown again.`
        : 'None installed. In Google Cloud: a service account with domain-wide delegation for the Gmail read-only and compose scopes, then Keys, Add key, JSON.',
      default: installed ? 'keep' : 'replace',
      variants: Variants.of({
        keep: { name: installed ? `Keep the key of ${installed}` : 'Keep (none installed)', spec: InputSpec.of({}) },
        replace: {
          name: 'Paste a new key',
          spec: InputSpec.of({
            json: Value.textarea({
              name: 'Key file (JSON)',
              description:
                'Open the .json file Google gave you in a text editor and paste all of it. (StartOS 0.4 actions cannot take file uploads yet.)',
              required: true,
              default: null,
              minRows: 6,
              maxRows: 12,
              placeholder: '{ "type": "service_account", "client_email": "...", "private_key": "..." }',
            }),
          }),
        },
        remove: { name: 'Remove the installed key', spec: InputSpec.of({}) },
      }),
    }),
    workspaceDomain: Value.text({
      name: 'Workspace domain',
      description:
        'The Google Workspace domain the service account may read (GMAIL_WORKSPACE_DOMAIN); a mailbox outside it cannot be synced.',
      required: false,
      default: null,
      placeholder: 'fund.example',
      patterns: [domainPattern],
    }),
    fundDomains: Value.text({
      name: "Fund's own domains",
      description:
        "Comma-separated (GMAIL_FUND_DOMAINS): mail between these addresses is internal and never proposed as investor activity. Empty: the domains of the CRM users' emails.",
      required: false,
      default: null,
      placeholder: 'fund.example, fund-gp.example',
      patterns: [
        {
          regex: '^\\s*@?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+(\\s*[,\\s]\\s*@?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+)*\\s*$',
          description: 'Domains such as fund.example, separated by commas',
        },
      ],
    }),
  })
}

async function gmailSpec() {
  const key = await storeJson.read((store) => store.gmail.serviceAccountKey).once()
  return gmailSpecFor(installedKeyEmail(key ?? null))
}

export const configureGmail = sdk.Action.withInput(
  'configure-gmail',

  async () => ({
    name: 'Configure Gmail',
    description:
      "Gmail capture of investor email: the Google service-account key, the Workspace domain and the fund's own domains.",
    warning: null,
    allowedStatuses: 'any',
    group: 'Gmail',
    visibility: 'enabled',
  }),

  gmailSpec,

  async () => {
    const gmail = await storeJson.read((store) => store.gmail).once()
    return {
      workspaceDomain: gmail?.workspaceDomain ?? null,
      fundDomains: gmail?.fundDomains.length ? gmail.fundDomains.join(', ') : null,
    }
  },

  // The service restarts on the change; main.ts writes /data/secrets/gmail/ from it.
  async ({ effects, input }) => {
    const store = await storeJson.read().once()
    if (!store) throw new Error('store.json is missing: reinstall Venture CRM')
    const gmail = storedGmail(store.gmail, input)
    await storeJson.merge(effects, { gmail })
    const email = installedKeyEmail(gmail.serviceAccountKey)
    return {
      version: '1',
      title: 'Gmail settings saved',
      message: [
        email ? `Service account: ${email}.` : 'No service account key installed: Gmail sync cannot run.',
        gmail.workspaceDomain ? `Workspace domain: ${gmail.workspaceDomain}.` : 'No Workspace domain set.',
        gmail.fundDomains.length ? `Fund's domains: ${gmail.fundDomains.join(', ')}.` : '',
        'Venture CRM restarts to apply them. Then turn sync on per user with "Gmail Sync for a User".',
      ]
        .filter(Boolean)
        .join(' '),
      result: null,
    }
  },
)
