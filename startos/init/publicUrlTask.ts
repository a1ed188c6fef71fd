import { setPublicUrl } from '../actions/setPublicUrl'
import { storeJson } from '../fileModels/store.json'
import { sdk } from '../sdk'

/**
 * On install, update or restore, ask for the public URL while none is set: until then links
 * made outside a browser (the actions, the CLI) cannot know the team's address. Not on a
 * plain restart, so an admin who chose "None" is not asked at every start.
 */
export const publicUrlTask = sdk.setupOnInit(async (effects, kind) => {
  if (kind === null) return
  const publicUrl = await storeJson.read((store) => store.publicUrl).once()
  if (publicUrl) return
  await sdk.action.createOwnTask(effects, setPublicUrl, 'important', {
    reason: 'Choose the address the team opens Venture CRM at, so invite and reset links work from their browsers',
  })
})
