/**
 * Runs every code block of the pages in `docs/`, in order, as a reader would after `npm start`: against a server with
 * the quickstart's example services and plan templates, with `BATON_URL`, `BATON_API_KEY` and `BATON_ADMIN_TOKEN`
 * set, `baton` on the PATH (the built CLI), a `HOME` of its own, and a scratch folder as the working directory. Shell
 * blocks run as one script each (`set -euo pipefail`), TypeScript blocks as programs, JSON blocks are parsed. A page
 * whose examples stopped working fails here.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseServerMessage, parseServiceMessage } from '@baton/protocol';
import type { Service } from '@baton/sdk';
import { type BatonServer, startServer } from '@baton/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_SERVICES, exampleService } from '../../packages/cli/src/quickstart/example-services.js';
import { EXAMPLE_TEMPLATES } from '../../packages/cli/src/quickstart/example-templates.js';
import { readCodeBlocks } from '../readme/readme-blocks.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const docsDir = join(root, 'docs');
const ADMIN_TOKEN = `badm_${'d'.repeat(43)}`;

async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? markdownFiles(join(dir, entry.name))
        : entry.name.endsWith('.md')
          ? [join(dir, entry.name)]
          : [],
    ),
  );
  return nested.flat().sort();
}

/**
 * A socket session written frame by frame (`service → {…}`, `server  → {…}`, a frame may go on over indented lines):
 * every frame written out in full must be a message its sender may send. Frames shortened with `…` are left out.
 */
function expectValidTranscript(text: string): void {
  const frames: { from: string; json: string }[] = [];
  for (const line of text.split('\n')) {
    const start = /^(service|server)\s+→\s+(\{.*)$/.exec(line);
    if (start) frames.push({ from: start[1] as string, json: start[2] as string });
    else if (/^\s+\S/.test(line) && frames.length > 0 && !line.trim().startsWith('…')) {
      (frames.at(-1) as { json: string }).json += line.trim();
    }
  }
  const full = frames.filter((frame) => !frame.json.includes('…'));
  expect(full.length, 'frames written out in full').toBeGreaterThan(3);
  for (const frame of full) {
    const parsed = frame.from === 'service' ? parseServiceMessage(frame.json) : parseServerMessage(frame.json);
    expect(parsed, `${frame.from} → ${frame.json}`).toMatchObject({ ok: true });
  }
}

const pages = await Promise.all(
  (await markdownFiles(docsDir)).map(
    async (page) => [relative(root, page), readCodeBlocks(await readFile(page, 'utf8'))] as const,
  ),
);

describe.each(pages)('%s', (_name, blocks) => {
  let server: BatonServer;
  let services: Service[] = [];
  let scratch: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    await mkdir(join(root, '.baton'), { recursive: true });
    scratch = await mkdtemp(join(root, '.baton', 'docs-'));
    server = await startServer({
      databaseUrl: join(scratch, 'baton.db'),
      port: 0,
      logger: false,
      adminToken: ADMIN_TOKEN,
      allowPrivateWebhooks: true,
    });
    const created = await fetch(`${server.url}/v1/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'docs' }),
    });
    const apiKey = ((await created.json()) as { apiKey: { key: string } }).apiKey.key;
    services = Object.keys(EXAMPLE_SERVICES).map((name) => exampleService(name));
    for (const service of services) await service.start({ url: server.url, apiKey });
    for (const template of EXAMPLE_TEMPLATES) {
      await fetch(`${server.url}/v1/plan-templates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(template),
      });
    }
    const bin = join(scratch, 'bin');
    await mkdir(bin);
    await writeFile(
      join(bin, 'baton'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'packages/cli/bin/baton.js')}" "$@"\n`,
    );
    await chmod(join(bin, 'baton'), 0o755);
    // The pages run from the repository's folder as a reader's would (`packages/…` paths), writing into this one.
    await symlink(join(root, 'packages'), join(scratch, 'packages'));
    const home = join(scratch, 'home');
    await mkdir(home);
    env = {
      ...(process.env as Record<string, string>),
      PATH: `${bin}:${process.env.PATH}`,
      HOME: home,
      BATON_URL: server.url,
      BATON_API_KEY: apiKey,
      BATON_ADMIN_TOKEN: ADMIN_TOKEN,
      NODE_ENV: 'test',
    };
  }, 120_000);

  afterAll(async () => {
    for (const service of services) await service.stop();
    await server?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('has only blocks this test runs', () => {
    const unknown = blocks.filter(
      (block) => !['sh', 'bash', 'ts', 'typescript', 'json', 'text'].includes(block.language),
    );
    expect(unknown.map((block) => `line ${block.line}: ${block.language || '(none)'}`)).toEqual([]);
  });

  // In order: a page's later examples may use what earlier ones made (a file, a template, an orchestration).
  it.each(blocks.map((block) => [block.line, block] as const))(
    'runs the block on line %i',
    async (_line, block) => {
      if (block.language === 'json') {
        expect(() => JSON.parse(block.code)).not.toThrow();
        return;
      }
      if (block.language === 'text') {
        expectValidTranscript(block.code);
        return;
      }
      if (block.language === 'ts' || block.language === 'typescript') {
        const file = join(scratch, `block-${block.line}.ts`);
        await writeFile(file, block.code);
        const { stderr } = await run(process.execPath, ['--conditions=@baton/source', '--import', 'tsx', file], {
          cwd: scratch,
          env,
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        });
        expect(stderr).not.toMatch(/Error|Unhandled|Warning/);
        return;
      }
      const result = await run('bash', ['-c', `set -euo pipefail\n${block.code}`], {
        cwd: scratch,
        env,
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
        throw new Error(`exit ${error.code}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
      });
      expect(result.stderr).not.toMatch(/Error|Unhandled/);
    },
    150_000,
  );
});
