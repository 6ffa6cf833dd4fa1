/**
 * The CLI's saved connection, `~/.baton/config.json` (`{ url, apiKey }`), written by `baton login`: the folder is
 * private to the user (0700) and the file too (0600), since it holds a bearer key. `$HOME` decides where it lives.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../input-error.js';

export interface CliConfig {
  url: string;
  apiKey: string;
}

export function configPath(): string {
  return join(homedir(), '.baton', 'config.json');
}

/** The saved config, or an empty one when there is no file; a file that cannot be read or parsed is an `InputError`. */
export async function readConfig(path: string = configPath()): Promise<Partial<CliConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, `cannot read ${path}: ${code}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `${path} is not valid JSON: run baton login again`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(path, `${path} must hold a JSON object { url, apiKey }: run baton login again`);
  }
  const { url, apiKey } = parsed as Record<string, unknown>;
  return {
    ...(typeof url === 'string' ? { url } : {}),
    ...(typeof apiKey === 'string' ? { apiKey } : {}),
  };
}

/** Writes the config through a temporary file renamed over the old one, so a crash never leaves half a file. */
export async function writeConfig(config: CliConfig, path: string = configPath()): Promise<string> {
  const folder = join(path, '..');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ url: config.url, apiKey: config.apiKey }, null, 2)}\n`, {
    mode: 0o600,
  });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
}
