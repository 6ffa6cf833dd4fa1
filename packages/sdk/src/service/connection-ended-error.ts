/**
 * The server ended the service for good before it registered it: it refused the API key at the upgrade (HTTP 401:
 * a wrong or revoked key, which no retry can fix), or closed the socket with 4001 (key revoked), 4004 (service
 * deleted) or 4400 (its registration refused: a schema the server cannot use). `start()` rejects with it; the
 * service has stopped trying.
 */

import { ServiceError } from './service-error.js';
import type { ConnectionEnd, ConnectionEndReason } from './service-event.js';

export class ConnectionEndedError extends ServiceError {
  readonly serviceName: string;
  /** The server base URL that ended the connection. */
  readonly url: string;
  /**
   * `key-refused` (HTTP 401 at the upgrade), `key-revoked` (close 4001), `service-deleted` (close 4004) or
   * `registration-refused` (close 4400).
   */
  readonly reason: ConnectionEndReason;

  constructor(serviceName: string, end: ConnectionEnd) {
    super('connection-ended', `service "${serviceName}" stopped: ${end.message}`);
    this.name = 'ConnectionEndedError';
    this.serviceName = serviceName;
    this.url = end.url;
    this.reason = end.reason;
  }

  static override isInstance(error: unknown): error is ConnectionEndedError {
    return ServiceError.isInstance(error) && error.code === 'connection-ended';
  }
}
