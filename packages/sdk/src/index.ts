/**
 * @baton/sdk — connect services and agents in any process to a Baton server over its socket protocol
 * (`docs/protocol.md`).
 */
export * from './service/index.js';
