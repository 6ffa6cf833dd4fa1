/**
 * @baton/sdk — connect services and agents in any process to a Baton server over its socket protocol
 * (`docs/protocol.md`), and submit and follow orchestrations over its HTTP API.
 */
export * from './client/index.js';
export * from './service/index.js';
