/**
 * A Baton server in its own process, for the process tests: started from a JSON config argument, it prints
 * `ready <url>` once it listens and stays up until it is killed. Its logs (warnings and worse) go to stderr.
 */
import { startServer } from '@baton/server';
import { pino } from 'pino';

export interface ServerChildConfig {
  /** A SQLite file or a `postgres://` URL. */
  databaseUrl: string;
  /** Fixed by the test, so a restarted server comes back on the same URL. */
  port: number;
  adminToken: string;
  secretKey: string;
  leaseMs?: number;
  heartbeatMs?: number;
  serviceGraceMs?: number;
  replicaId?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServerChildConfig;
const server = await startServer({
  databaseUrl: config.databaseUrl,
  port: config.port,
  adminToken: config.adminToken,
  secretKey: config.secretKey,
  logger: pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true })),
  ...(config.leaseMs === undefined ? {} : { leaseMs: config.leaseMs }),
  ...(config.heartbeatMs === undefined ? {} : { heartbeatMs: config.heartbeatMs }),
  ...(config.serviceGraceMs === undefined ? {} : { serviceGraceMs: config.serviceGraceMs }),
  ...(config.replicaId === undefined ? {} : { replicaId: config.replicaId }),
});
process.stdout.write(`ready ${server.url}\n`);
