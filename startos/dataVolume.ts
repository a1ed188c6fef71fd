/**
 * The files the CRM reads at start from its volume: the secret key and the
 * per-field secret folders (`secrets/smtp/`, `secrets/spark/`, `secrets/gmail/`,
 * `secrets/digest/`) that docker_entrypoint.sh and the CRM's settings read. Written from the package's
 * own container, so no value ever passes through a command line.
 */
import {
  chmod,
  chown,
  mkdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { SecretFiles } from './config/mapping'
import { crmUser } from './crm'
import { storeJson } from './fileModels/store.json'
import { sdk } from './sdk'

export type { SecretFiles } from './config/mapping'

const secretsRoot = sdk.volumes.main.subpath('secrets')

async function ownedFolder(path: string) {
  await mkdir(path, { recursive: true, mode: 0o700 })
  await chmod(path, 0o700)
  await chown(path, crmUser.uid, crmUser.gid)
}

async function writeSecretFile(path: string, value: string) {
  // A temporary file renamed over the old one: the CRM never reads half a value.
  const tmp = join(dirname(path), `.${basename(path)}.tmp`)
  await rm(tmp, { force: true })
  await writeFile(tmp, value, { mode: 0o600 })
  await chmod(tmp, 0o600)
  await chown(tmp, crmUser.uid, crmUser.gid)
  await rename(tmp, path)
}

/** Give the volume to the CRM's user and keep store.json (it holds secrets) root-only. */
export async function prepareDataVolume() {
  await chown(sdk.volumes.main.path, crmUser.uid, crmUser.gid)
  // Only when needed: a chmod is an inotify event on the file main.ts watches.
  const store = await stat(storeJson.path).catch(() => null)
  if (store && (store.mode & 0o777) !== 0o600) await chmod(storeJson.path, 0o600)
  await ownedFolder(secretsRoot)
}

/**
 * Write config/mapping.ts's files, {path under secrets/: content}: at most one folder deep,
 * 0700 folders, 0600 files, the CRM's user; null or empty removes the file.
 */
export async function writeSecretFiles(files: SecretFiles) {
  const folders = new Map<string, SecretFiles>()
  for (const [path, value] of Object.entries(files)) {
    const parts = path.split('/')
    if (parts.length > 2 || parts.some((part) => !part || part.startsWith('.'))) {
      throw new Error(`not a secret file path: ${path}`)
    }
    const [folder, name] = parts.length === 2 ? parts : ['', parts[0]]
    folders.set(folder, { ...folders.get(folder), [name]: value })
  }
  for (const [folder, folderFiles] of folders) await writeSecretFolder(folder, folderFiles)
}

/** Write each value to `secrets/<folder>/<name>` (0600, the CRM's user); null or empty removes it. */
export async function writeSecretFolder(folder: string, files: SecretFiles) {
  const path = join(secretsRoot, folder)
  await ownedFolder(path)
  for (const [name, value] of Object.entries(files)) {
    if (value === null || value === '') {
      await rm(join(path, name), { force: true })
    } else {
      await writeSecretFile(join(path, name), value)
    }
  }
}
