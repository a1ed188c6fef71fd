/**
 * `node build/config/render.js STORE_JSON [SMTP_JSON]` prints the mapping of a store.json
 * as JSON {env, files}: what main.ts would hand the CRM. tests/test_startos_mapping.py runs
 * it to start a real server configured exactly as the package would.
 */
import { readFileSync } from 'node:fs'
import type { T } from '@start9labs/start-sdk'
import { crmSettings, customSmtpAccount } from './mapping'
import { storeShape } from './storeShape'

function main(args: string[]) {
  if (args.length < 1 || args.length > 2) {
    process.stderr.write('usage: render.js STORE_JSON [SMTP_JSON]\n')
    process.exit(2)
  }
  const store = storeShape.parse(JSON.parse(readFileSync(args[0], 'utf8')))
  // The server's own account (the `system` choice) comes from StartOS: pass it as SMTP_JSON.
  const smtp = args[1]
    ? (JSON.parse(readFileSync(args[1], 'utf8')) as T.SmtpValue)
    : customSmtpAccount(store.smtp)
  process.stdout.write(JSON.stringify(crmSettings(store, smtp)) + '\n')
}

main(process.argv.slice(2))
