/**
 * Rewrites the generated section of `docs/protocol.md` (the JSON Schema of every socket message) from the zod
 * definitions in `src/socket/messages.ts`. Run it after changing a message:
 * `node --conditions=@baton/source --import tsx packages/protocol/scripts/write-protocol-doc.ts`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateProtocolDoc } from '../src/socket/protocol-doc.js';

const file = fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = updateProtocolDoc(before);
if (after === before) {
  console.log(`${file} is up to date`);
} else {
  writeFileSync(file, after);
  console.log(`${file} updated`);
}
