/**
 * A project's API keys: created with the key shown once, listed by prefix, revoked at once. Lookup hashes the presented
 * key, finds the row by its hash and compares the hashes again in constant time; `last_used_at` is written at most
 * once a minute per key, so authentication stays a read.
 */
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import { newId } from '../db/time-ordered-id.js';
import { API_KEY_PREFIX, displayPrefix, hashToken, newSecretToken, sameHash } from './secret-token.js';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuthenticatedKey {
  keyId: string;
  projectId: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const LAST_USED_RESOLUTION_MS = 60_000;

/** How long an authenticated key is taken on trust before it is read again (other replicas' revocations). */
const TRUSTED_MS = 1000;

export class ApiKeys {
  private readonly lastUsedWritten = new Map<string, number>();
  /** Recently authenticated keys by hash: a request needs no query; a revocation here drops its entry at once. */
  private readonly recent = new Map<string, AuthenticatedKey & { at: number }>();

  constructor(
    private readonly db: Kysely<ServerTables>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async create(projectId: string, name: string): Promise<ApiKeyView & { key: string }> {
    const key = newSecretToken(API_KEY_PREFIX);
    const row = {
      id: newId('key'),
      project_id: projectId,
      name,
      prefix: displayPrefix(key),
      hash: hashToken(key),
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('baton_server_api_keys').values(row).execute();
    return { id: row.id, name, prefix: row.prefix, createdAt: iso(row.created_at) as string, lastUsedAt: null, key };
  }

  async list(projectId: string): Promise<ApiKeyView[]> {
    const rows = await this.db
      .selectFrom('baton_server_api_keys')
      .select(['id', 'name', 'prefix', 'created_at', 'last_used_at'])
      .where('project_id', '=', projectId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      createdAt: iso(row.created_at) as string,
      lastUsedAt: iso(row.last_used_at),
    }));
  }

  /**
   * Revokes a key of `projectId`: when it was revoked (`already` when that was before this call), `last` when it is
   * the project's only live key (kept: nothing, not even the admin token, could make the project another one), or
   * undefined when the project has no key with that id (another project's is not told apart from none).
   */
  async revoke(
    projectId: string,
    id: string,
  ): Promise<{ revokedAt: number; already: boolean } | { last: true } | undefined> {
    const now = Date.now();
    const result = await this.db.transaction().execute(async (trx) => {
      // Revocations of one project's keys take turns (PostgreSQL; SQLite has one writer), so two keys revoked at once
      // cannot each leave the other as the last.
      if (this.dialect === 'postgres') {
        await trx.selectFrom('baton_server_projects').select('id').where('id', '=', projectId).forUpdate().execute();
      }
      return trx
        .updateTable('baton_server_api_keys')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .where('revoked_at', 'is', null)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('baton_server_api_keys as other')
              .select('other.id')
              .where('other.project_id', '=', projectId)
              .where('other.revoked_at', 'is', null)
              .where('other.id', '!=', id),
          ),
        )
        .executeTakeFirst();
    });
    if (Number(result.numUpdatedRows) > 0) {
      for (const [hash, key] of this.recent) if (key.keyId === id) this.recent.delete(hash);
      return { revokedAt: now, already: false };
    }
    const row = await this.db
      .selectFrom('baton_server_api_keys')
      .select('revoked_at')
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return row.revoked_at === null ? { last: true } : { revokedAt: Number(row.revoked_at), already: true };
  }

  /** The live key `token` is, or undefined. */
  async authenticate(token: string): Promise<AuthenticatedKey | undefined> {
    if (!token.startsWith(API_KEY_PREFIX) || token.length > 200) return undefined;
    const hash = hashToken(token);
    const known = this.recent.get(hash);
    if (known !== undefined && Date.now() - known.at < TRUSTED_MS) {
      this.touch(known.keyId);
      return { keyId: known.keyId, projectId: known.projectId };
    }
    const row = await this.db
      .selectFrom('baton_server_api_keys')
      .select(['id', 'project_id', 'hash', 'revoked_at'])
      .where('hash', '=', hash)
      .executeTakeFirst();
    if (row === undefined || row.revoked_at !== null || !sameHash(row.hash, hash)) {
      this.recent.delete(hash);
      return undefined;
    }
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(hash, { keyId: row.id, projectId: row.project_id, at: Date.now() });
    this.touch(row.id);
    return { keyId: row.id, projectId: row.project_id };
  }

  /** Whether `keyId` is still live (sockets opened with a key check it when keys are revoked). */
  async isLive(keyId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('baton_server_api_keys')
      .select('revoked_at')
      .where('id', '=', keyId)
      .executeTakeFirst();
    return row !== undefined && row.revoked_at === null;
  }

  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now);
    void this.db
      .updateTable('baton_server_api_keys')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .execute()
      .catch(() => this.lastUsedWritten.delete(id));
  }
}
