/**
 * What the quickstart keeps between its runs, beside its database (`state.json`, mode 0600): the admin token it chose
 * (the server stores only its hash) and the project and key it made, so a second `npm start` finds them again.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface QuickstartState {
  adminToken: string;
  projectId?: string;
  apiKey?: string;
}

export async function readQuickstartState(folder: string): Promise<QuickstartState> {
  try {
    const state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as Partial<QuickstartState>;
    if (typeof state.adminToken === 'string' && state.adminToken.startsWith('badm_')) return state as QuickstartState;
  } catch {
    // No state yet, or one this version cannot read: start over with a new token.
  }
  return { adminToken: `badm_${randomBytes(32).toString('base64url')}` };
}

export async function writeQuickstartState(folder: string, state: QuickstartState): Promise<void> {
  const file = join(folder, 'state.json');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
