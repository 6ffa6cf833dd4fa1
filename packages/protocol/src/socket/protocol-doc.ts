/**
 * The generated part of `docs/protocol.md`: the JSON Schema of every socket message, written between two markers by
 * `scripts/write-protocol-doc.ts` and checked by a test, so the page cannot drift from the zod definitions.
 */

import { messageJsonSchemas } from './message-json-schemas.js';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from './messages.js';

export const GENERATED_START = '<!-- generated:message-schemas:start -->';
export const GENERATED_END = '<!-- generated:message-schemas:end -->';

export function renderMessageSchemas(): string {
  const lines = [
    GENERATED_START,
    '<!-- Written by packages/protocol/scripts/write-protocol-doc.ts from messages.ts; do not edit by hand. -->',
    '',
    `Protocol version ${PROTOCOL_VERSION}; largest frame ${MAX_MESSAGE_BYTES} bytes.`,
  ];
  for (const direction of ['service-to-server', 'server-to-service'] as const) {
    lines.push('', `### ${direction === 'service-to-server' ? 'Service → server' : 'Server → service'}`);
    for (const entry of messageJsonSchemas().filter((schema) => schema.direction === direction)) {
      lines.push('', `#### \`${entry.type}\``, '', '```json', JSON.stringify(entry.schema, null, 2), '```');
    }
  }
  lines.push('', GENERATED_END);
  return lines.join('\n');
}

export class MissingMarkersError extends Error {
  readonly markers: [string, string];

  constructor() {
    super(`the document must contain ${GENERATED_START} followed by ${GENERATED_END} on their own lines`);
    this.name = 'MissingMarkersError';
    this.markers = [GENERATED_START, GENERATED_END];
  }
}

/** The section between the markers (markers included), or undefined when they are missing. */
export function generatedSection(document: string): string | undefined {
  const start = document.indexOf(GENERATED_START);
  const end = document.indexOf(GENERATED_END, start);
  if (start === -1 || end === -1) return undefined;
  return document.slice(start, end + GENERATED_END.length);
}

/** The document with its generated section replaced by `renderMessageSchemas()`. */
export function updateProtocolDoc(document: string): string {
  const current = generatedSection(document);
  if (current === undefined) throw new MissingMarkersError();
  return document.replace(current, () => renderMessageSchemas());
}
