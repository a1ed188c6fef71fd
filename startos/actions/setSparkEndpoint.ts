import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

const { InputSpec, Value } = sdk

// The SDK's URL pattern wants a dotted name with a short TLD: it refuses http://spark:8000.
const httpUrl = {
  regex: '^https?://[^\\s/?#]+(/\\S*)?$',
  description: 'An http:// or https:// URL',
}

export const inputSpec = InputSpec.of({
  baseUrl: Value.text({
    name: 'Base URL',
    description:
      'The OpenAI-compatible API root of the model server (vLLM, Ollama, llama.cpp, NIM); the CRM posts to <base URL>/chat/completions. It must resolve to a private or loopback address.',
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
})

export const setSparkEndpoint = sdk.Action.withInput(
  'set-spark-endpoint',

  async () => ({
    name: 'Set Spark Endpoint',
    description:
      'The local model the digest summary runs on. Digest content goes only to this endpoint.',
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
    }
  },

  // The service restarts on the change and main.ts writes /data/secrets/spark/ from it.
  async ({ effects, input }) => {
    await storeJson.merge(effects, {
      spark: {
        baseUrl: input.baseUrl.trim(),
        model: input.model.trim(),
        apiKey: input.apiKey || null,
      },
    })
  },
)
