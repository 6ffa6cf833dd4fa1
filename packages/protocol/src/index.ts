/**
 * @baton/protocol — the one definition of Baton's wire format, imported by the server and the SDK: the service
 * socket's messages and the HTTP API's bodies.
 */

export * from './http/index.js';
export * from './socket/index.js';
