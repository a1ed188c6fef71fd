import { storedSpark } from '../config/forms'
import { tailscaleRange } from '../config/networks'
import { sparkNetworks } from '../config/mapping'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

const { InputSpec, List, Value } = sdk

// The SDK's URL pattern wants a dotted name with a short TLD: it refuses http://spark:8000.
const httpUrl = {
  regex: '^https?://[^\\s/?#]+(/\\S*)?$',
  description: 'An http:// or https:// URL',
}

export const inputSpec = InputSpec.of({
  baseUrl: Value.text({
    name: 'Base URL',
    description:
      'The OpenAI-compatible API root of the model server (vLLM, Ollama, llama.cpp, NIM); the CRM posts to <base URL>/chat/completions. It must resolve to a private or loopback address, or one in the ranges allowed below.',
    required: true,
    default: null,
    placeholder: 'http://192.168.1.20:8000/v1',
    patterns: [httpUrl],
    inputmode: 'url',
  }),
  model: Value.text({
    name: 'Model',
    description: 'The model name the server expects, e.g. as listed by <base URL>/models.',
    required: true,
    default: null,
  }),
  apiKey: Value.text({
    name: 'API Key',
    description: 'Sent as a Bearer token. Leave empty when the endpoint needs none.',
    required: false,
    default: null,
    masked: true,
  }),
  allowTailscale: Value.toggle({
    name: 'Allow Tailscale',
    description: `Also allow the model server on the fund's Tailscale network (${tailscaleRange}). Off by default: those addresses are not a private range.`,
    default: false,
  }),
  allowNetworks: Value.list(
    List.text(
      {
        name: 'Allowed private ranges',
        description:
          "More networks the model server may be in (SPARK_ALLOW_NETWORKS), as CIDRs. Private ranges only: a public range is refused, so digest text stays on the fund's own network.",
        default: [],
      },
      {
        placeholder: '100.100.0.0/16',
        patterns: [{ regex: '^\\s*[0-9A-Fa-f:.]+/\\d{1,3}\\s*$', description: 'A network such as 10.8.0.0/16' }],
      },
    ),
  ),
})

export const setSparkEndpoint = sdk.Action.withInput(
  'set-spark-endpoint',

  async () => ({
    name: 'Set Spark Endpoint',
    description:
      "The local model the digest summary runs on, and the private ranges it may be in (Tailscale's as an opt-in). Digest content goes only to this endpoint.",
    warning: null,
    allowedStatuses: 'any',
    group: 'Digest',
    visibility: 'enabled',
  }),

  inputSpec,

  async () => {
    const spark = await storeJson.read((store) => store.spark).once()
    return {
      baseUrl: spark?.baseUrl ?? undefined,
      model: spark?.model ?? undefined,
      apiKey: spark?.apiKey ?? null,
      allowTailscale: spark?.allowTailscale ?? false,
      allowNetworks: spark?.allowNetworks ?? [],
    }
  },

  // The service restarts on the change and main.ts writes /data/secrets/spark/ from it.
  async ({ effects, input }) => {
    const spark = storedSpark(input)
    await storeJson.merge(effects, { spark })
    const networks = sparkNetworks(spark)
    return {
      version: '1',
      title: 'Spark endpoint saved',
      message: `Digest summaries go to ${spark.baseUrl} (model ${spark.model}). ${
        networks.length
          ? `Allowed beyond private addresses: ${networks.join(', ')}.`
          : 'Only loopback and private addresses are allowed.'
      } Venture CRM restarts to apply it; Admin, Digest shows whether the model server is reachable.`,
      result: null,
    }
  },
)
