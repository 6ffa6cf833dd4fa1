/**
 * JSON Schema for every socket message, generated from the zod definitions the code uses, so `docs/protocol.md`
 * and any service written in another language follow the same definitions.
 */
import { z } from 'zod';
import { serverMessageSchema, serviceMessageSchema } from './messages.js';

export interface MessageJsonSchema {
  type: string;
  direction: 'service-to-server' | 'server-to-service';
  schema: Record<string, unknown>;
}

export function messageJsonSchemas(): MessageJsonSchema[] {
  const entries: MessageJsonSchema[] = [];
  const seen = new Set<string>();
  for (const [direction, union] of [
    ['service-to-server', serviceMessageSchema],
    ['server-to-service', serverMessageSchema],
  ] as const) {
    for (const option of union.options) {
      const type = option.shape.type.value;
      const key = `${direction}:${type}`;
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push({ type, direction, schema: z.toJSONSchema(option, { io: 'input' }) as Record<string, unknown> });
    }
  }
  return entries;
}
