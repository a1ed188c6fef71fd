import { sdk } from './sdk'

/** Venture CRM needs no other service; Spark and SMTP are reached by URL. */
export const setDependencies = sdk.setupDependencies(async () => ({}))
