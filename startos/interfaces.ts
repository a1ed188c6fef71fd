import { hostId, uiInterfaceId, uiPort } from './crm'
import { sdk } from './sdk'

/** The web UI (and the JSON API under /api) on the CRM's port 8080. */
export const setInterfaces = sdk.setupInterfaces(async ({ effects }) => {
  const origin = await sdk.MultiHost.of(effects, hostId).bindPort(uiPort, {
    protocol: 'http',
  })
  const ui = sdk.createInterface(effects, {
    name: 'Web UI',
    id: uiInterfaceId,
    description: 'The Venture CRM web app and its JSON API under /api',
    type: 'ui',
    masked: false,
    schemeOverride: null,
    username: null,
    path: '',
    query: {},
  })
  return [await origin.export([ui])]
})
