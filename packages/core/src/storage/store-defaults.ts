/** The documented defaults of every store option, shared by `openStore` and `createMemoryStore`. */
export const STORE_DEFAULTS = {
  blobThresholdBytes: 64 * 1024,
  retentionMs: 30 * 24 * 60 * 60 * 1000,
  connectTimeoutMs: 5000,
  poolSize: 10,
  busyTimeoutMs: 5000,
  pollIntervalMs: 50,
} as const;
