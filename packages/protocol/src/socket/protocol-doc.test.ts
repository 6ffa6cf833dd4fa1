import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { messageJsonSchemas } from './message-json-schemas.js';
import {
  GENERATED_END,
  GENERATED_START,
  generatedSection,
  MissingMarkersError,
  renderMessageSchemas,
  updateProtocolDoc,
} from './protocol-doc.js';

const docFile = fileURLToPath(new URL('../../../../docs/protocol.md', import.meta.url));

describe('docs/protocol.md', () => {
  it('carries the message schemas the code defines (run packages/protocol/scripts/write-protocol-doc.ts)', () => {
    const document = readFileSync(docFile, 'utf8');
    expect(generatedSection(document)).toBe(renderMessageSchemas());
  });

  it('documents every message type', () => {
    const document = readFileSync(docFile, 'utf8');
    for (const { type } of messageJsonSchemas()) expect(document).toContain(`\`${type}\``);
  });
});

describe('updateProtocolDoc', () => {
  it('replaces only the section between the markers', () => {
    const document = `# Title\n\n${GENERATED_START}\nstale\n${GENERATED_END}\n\nAfter.\n`;
    const updated = updateProtocolDoc(document);
    expect(updated.startsWith('# Title\n\n')).toBe(true);
    expect(updated.endsWith('\n\nAfter.\n')).toBe(true);
    expect(updated).not.toContain('stale');
    expect(updateProtocolDoc(updated)).toBe(updated);
  });

  it('refuses a document without the markers', () => {
    expect(() => updateProtocolDoc('# Title')).toThrow(MissingMarkersError);
  });
});
