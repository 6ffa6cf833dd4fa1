/**
 * Projects: every object belongs to one; the admin creates them, each with its first API key. A project's name is
 * unique on the server (a unique index, so two requests racing for one name cannot both win).
 */
import type { Kysely } from 'kysely';
import type { ApiKeys, ApiKeyView } from '../auth/api-keys.js';
import type { ServerTables } from '../db/server-tables.js';
import { newId } from '../db/time-ordered-id.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { ProjectNameTakenError } from './project-name-taken-error.js';

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

  /** Throws `ProjectNameTakenError` when another project has `name`. */
  async create(name: string): Promise<{ project: ProjectView; apiKey: ApiKeyView & { key: string } }> {
    const row = { id: newId('prj'), name, created_at: Date.now() };
    try {
      await this.db.insertInto('baton_server_projects').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProjectNameTakenError(name);
      throw error;
    }
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
