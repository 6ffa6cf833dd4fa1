/**
 * Test helpers for the webhooks: a database of either dialect opened the way the server opens it (a temporary SQLite
 * file, or a PostgreSQL schema of its own), and a local HTTP receiver that records what it was sent.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStoreLocation } from '@baton/core';
import { openServerDatabase, type ServerDatabase } from '../db/open-server-database.js';
import { createPostgresTestDatabase } from '../postgres-test-kit.js';

/** A fixed 32-byte master key for tests. */
export const TEST_MASTER_KEY = new Uint8Array(randomBytes(32));

export interface TestDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  /** The SQLite file, for the sqlite dialect. */
  readonly path?: string;
  /** Another connection to the same database (a restarted server); closed by cleanup. */
  open(): Promise<ServerDatabase>;
  cleanup(): Promise<void>;
}

function tracked(opened: ServerDatabase[], open: () => Promise<ServerDatabase>) {
  return async () => {
    const database = await open();
    opened.push(database);
    return database;
  };
}

export function sqliteTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'baton-webhooks-'));
  const path = join(dir, 'server.db');
  const opened: ServerDatabase[] = [];
  return {
    dialect: 'sqlite',
    path,
    open: tracked(opened, () => openServerDatabase(parseStoreLocation(path))),
    async cleanup() {
      for (const database of opened.splice(0)) await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A PostgreSQL database of its own (not a schema in a shared one): the migrator lists the tables of every schema, and
 * other test files create and drop schemas in the shared database meanwhile.
 */
export async function postgresTestDatabase(): Promise<TestDatabase> {
  const database = await createPostgresTestDatabase('baton_wh');
  const opened: ServerDatabase[] = [];
  return {
    dialect: 'postgres',
    open: tracked(opened, () => openServerDatabase(parseStoreLocation(database.url), { poolSize: 4 })),
    async cleanup() {
      for (const each of opened.splice(0)) await each.close();
      await database.drop();
    },
  };
}

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
}

/** What the receiver answers: a status (and headers), later when a promise, or `hang` to never answer. */
export type ReceiverReply = ReceiverAnswer | Promise<ReceiverAnswer> | 'hang';

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startReceiver(
  reply: (request: ReceivedRequest, index: number) => ReceiverReply = () => ({ status: 204 }),
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      const request = { path: req.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const answer = reply(request, requests.length - 1);
      if (answer === 'hang') return;
      void Promise.resolve(answer).then(({ status, headers }) => {
        res.writeHead(status, headers);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
