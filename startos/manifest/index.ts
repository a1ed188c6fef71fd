import { setupManifest } from '@start9labs/start-sdk'

// SDK 2.x dropped the manifest `alerts` block (install/update/... prompts), so there is none here.
export const manifest = setupManifest({
  id: 'venture-crm',
  title: 'Venture CRM',
  license: 'Apache-2.0',
  packageRepo: 'https://github.com/venture-crm/venture-crm/tree/main/startos',
  upstreamRepo: 'https://github.com/venture-crm/venture-crm',
  marketingUrl: 'https://github.com/venture-crm/venture-crm',
  donationUrl: null,
  description: {
    short: "A self-hosted CRM for a venture fund's fundraising team",
    long: 'Venture CRM tracks investors, contacts, funds and commitments in an Airtable-like grid with saved views, formulas, automations and audit history. Accounts are invite-only. It can send a daily activity digest through its own SMTP account and summarise it with a local model on Spark, so the substance never leaves your server.',
  },
  volumes: ['main'],
  images: {
    // The image is the repository's own Dockerfile, one folder up from this package.
    main: {
      source: { dockerBuild: { dockerfile: '../Dockerfile', workdir: '..' } },
      arch: ['x86_64', 'aarch64'],
    },
  },
  dependencies: {},
})
