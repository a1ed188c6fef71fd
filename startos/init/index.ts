import { actions } from '../actions'
import { restoreInit } from '../backups'
import { setDependencies } from '../dependencies'
import { setInterfaces } from '../interfaces'
import { sdk } from '../sdk'
import { versionGraph } from '../versions'
import { adminInviteTask } from './adminInviteTask'
import { publicUrlTask } from './publicUrlTask'
import { seedStore } from './seedStore'

// In order: restore first (it replaces the volume), then migrations, then what depends on the data.
export const init = sdk.setupInit(
  restoreInit,
  versionGraph,
  seedStore,
  setInterfaces,
  setDependencies,
  actions,
  publicUrlTask,
  adminInviteTask,
)

export const uninit = sdk.setupUninit(versionGraph)
