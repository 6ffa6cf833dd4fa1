/**
 * @baton/server — Baton's plan engine server: an HTTP API described by OpenAPI 3.1 and a WebSocket where services in
 * any language register and take tasks, on the durable engine (SQLite by default, PostgreSQL for several replicas).
 */

export { type DatabaseHolder, DatabaseInUseError } from './db/database-in-use-error.js';
export { SERVER_VERSION } from './http/routes/server-version.js';
export { SERVER_NODE_FLAGS } from './server-node-flags.js';
export { type BatonServerOptions, DEFAULT_SERVER_DATABASE, serverOptionsFromEnv } from './server-options.js';
export { scopedTargetName } from './services/target-name.js';
export { RemoteTaskError, ServiceDeletedError, ServiceUnavailableError } from './socket/dispatch-errors.js';
export { CLOSE_CODES } from './socket/socket-gateway.js';
export { type BatonServer, startServer } from './start-server.js';
