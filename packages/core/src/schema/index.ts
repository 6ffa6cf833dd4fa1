export {
  type CompiledSchema,
  compileSchema,
  isZodSchema,
  type JsonSchema,
  type SchemaInput,
} from './schema.js';
export { schemaAtPath } from './schema-path.js';
