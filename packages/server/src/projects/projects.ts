/** Projects: every object belongs to one; the admin creates them, each with its first API key. */
import type { Kysely } from 'kysely';
import type { ApiKeys, ApiKeyView } from '../auth/api-keys.js';
import { newId } from '../auth/secret-token.js';
import type { ServerTables } from '../db/server-tables.js';

export interface ProjectView {
  id: string;
  name: string;
  createdAt: string;
}

export class Projects {
  constructor(
    private readonly db: Kysely<ServerTables>,
    private readonly keys: ApiKeys,
  ) {}

  async create(name: string): Promise<{ project: ProjectView; apiKey: ApiKeyView & { key: string } }> {
    const row = { id: newId('prj'), name, created_at: Date.now() };
    await this.db.insertInto('baton_server_projects').values(row).execute();
    const apiKey = await this.keys.create(row.id, 'default');
    return { project: { id: row.id, name, createdAt: new Date(row.created_at).toISOString() }, apiKey };
  }

  async list(): Promise<ProjectView[]> {
    const rows = await this.db
      .selectFrom('baton_server_projects')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() }));
  }
}
