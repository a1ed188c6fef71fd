/** When the daily digest goes out: on or off, the local send time and the fund's time zone. */
import { storedDigest } from '../config/forms'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

const { InputSpec, Value } = sdk

export const inputSpec = InputSpec.of({
  enabled: Value.toggle({
    name: 'Send the daily digest',
    description: 'Off: no scheduled digest (DIGEST_ENABLED=false); an admin can still send one by hand.',
    default: true,
  }),
  sendAt: Value.text({
    name: 'Send time',
    description: '24-hour local time in the time zone below (DIGEST_SEND_AT).',
    required: true,
    default: '07:30',
    placeholder: '07:30',
    patterns: [{ regex: '^\\s*([01]?\\d|2[0-3]):[0-5]\\d\\s*$', description: 'A time such as 07:30 (HH:MM)' }],
  }),
  tz: Value.text({
    name: 'Time zone',
    description: "The fund's IANA time zone (DIGEST_TZ), e.g. Europe/London, America/New_York, Asia/Singapore.",
    required: true,
    default: 'UTC',
    placeholder: 'Europe/London',
  }),
})

export const configureDigest = sdk.Action.withInput(
  'configure-digest',

  async () => ({
    name: 'Digest Schedule',
    description: 'Turn the daily activity digest on or off and choose when it is sent, in which time zone.',
    warning: null,
    allowedStatuses: 'any',
    group: 'Digest',
    visibility: 'enabled',
  }),

  inputSpec,

  async () => {
    const digest = await storeJson.read((store) => store.digest).once()
    return {
      enabled: digest?.enabled ?? true,
      sendAt: digest?.sendAt ?? '07:30',
      tz: digest?.tz ?? 'UTC',
    }
  },

  // The service restarts on the change; main.ts writes /data/secrets/digest/ from it.
  async ({ effects, input }) => {
    const digest = storedDigest(input)
    await storeJson.merge(effects, { digest })
    return {
      version: '1',
      title: 'Digest schedule saved',
      message: digest.enabled
        ? `The digest goes out daily at ${digest.sendAt} ${digest.tz}, through the account of "Configure Digest Email". Venture CRM restarts to apply it.`
        : 'The daily digest is off. Venture CRM restarts to apply it.',
      result: null,
    }
  },
)
