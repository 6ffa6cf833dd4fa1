/**
 * The `agent.yaml` format as a zod schema: the model endpoint (an OpenAI-compatible base URL, the model's name, the
 * name of the environment variable holding the key — never the key), or several in order of preference with prices;
 * the system prompt; MCP servers and the registered tools offered; tool search; context budget; cache; budget;
 * maxSteps. Unknown keys are refused, so a typo is an error rather than an option silently ignored.
 */
import { z } from 'zod';
import { repeatedServerNames } from '../mcp/mcp-server-config.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SERVER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const TARGET_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** Names of headers and variables that carry credentials: their values must come from the environment. */
const SECRET_NAME = /authorization|api[-_]?key|token|secret|password|cookie|credential/i;
/** `${NAME}`: a value read from the environment when the agent starts. */
export const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Headers or environment variables: a credential is written as `${ENV_NAME}`, never as itself. */
const secretSafeMap = z.record(z.string(), z.string()).superRefine((map, context) => {
  for (const [name, value] of Object.entries(map)) {
    if (SECRET_NAME.test(name) && !new RegExp(ENV_REFERENCE.source).test(value)) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: `never put a credential in the file: write it as \${ENV_NAME} (e.g. "Bearer \${API_TOKEN}") and export the variable`,
      });
    }
  }
});

export const modelEndpointSchema = z.strictObject({
  /** `http://127.0.0.1:11434/v1`, `https://api.openai.com/v1` … */
  baseURL: z.url({
    protocol: /^https?$/,
    error: 'must be the http(s) URL of an OpenAI-compatible API, like http://127.0.0.1:11434/v1',
  }),
  /** The model's name at that endpoint. */
  name: z.string().min(1),
  apiKeyEnv: z
    .string()
    .regex(ENV_NAME, { error: 'must be the name of an environment variable, like OPENAI_API_KEY' })
    .optional(),
  apiKey: z
    .undefined({ error: 'never put a key in the file: name the environment variable that holds it with apiKeyEnv' })
    .optional(),
  headers: secretSafeMap.optional(),
  price: z.strictObject({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() }).optional(),
  maxOutputTokens: z.int().positive().optional(),
  /**
   * How long the endpoint may send nothing — before its answer begins, or between two parts of it — before the call
   * fails and the next of `models` is asked. @default 300000
   */
  idleTimeoutMs: z.int().positive().max(2_147_483_647).optional(),
});

/**
 * The checks of two keys together (model or models, command or url) run with the file's other problems, not only once those are fixed: every problem is reported at
 * once. They read only whether two keys are there, which any map can answer.
 */
const isMap = (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null;

export const mcpServerSchema = z
  .strictObject({
    name: z.string().regex(SERVER_NAME, { error: 'must be lowercase letters, digits and -, like "files"' }),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: secretSafeMap.optional(),
    cwd: z.string().optional(),
    url: z.url().optional(),
    headers: secretSafeMap.optional(),
  })
  .refine((server) => server.command !== undefined || server.url !== undefined, {
    error: 'give command (a server over stdio) or url (Streamable HTTP)',
    path: ['command'],
    when: isMap,
  })
  .refine((server) => server.command === undefined || server.url === undefined, {
    error: 'give command (a server over stdio) or url (Streamable HTTP), not both',
    path: ['command'],
    when: isMap,
  });

export const agentFileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(TARGET_NAME, { error: 'must be lowercase letters, digits, - and ., like "trip-planner"' })
      .optional(),
    description: z.string().max(500).optional(),
    model: modelEndpointSchema.optional(),
    models: z.array(modelEndpointSchema).min(1).optional(),
    /** A model call that fails in a way another may not goes to the next of `models`. @default true */
    modelFallback: z.boolean().optional(),
    system: z.string().optional(),
    mcpServers: z
      .array(mcpServerSchema)
      .superRefine((servers, context) => {
        // Found here, a repeated name is placed at its entry's line and column, like every other problem of the file.
        for (const { index, message } of repeatedServerNames(servers)) {
          context.addIssue({ code: 'custom', message, path: [index, 'name'] });
        }
      })
      .optional(),
    tools: z.array(z.string().min(1)).optional(),
    toolSearch: z.strictObject({ k: z.int().positive(), minScore: z.number().min(0).max(1).optional() }).optional(),
    context: z
      .strictObject({ maxInputTokens: z.int().positive(), reserveOutputTokens: z.int().nonnegative().optional() })
      .optional(),
    cache: z
      .union([
        z.literal(false),
        z.strictObject({
          /** The SQLite file answers are kept in between runs, relative to the working directory. @default .baton/cache.db */
          path: z.string().min(1).optional(),
          ttlSeconds: z.int().positive().optional(),
          similarityThreshold: z.number().gt(0).max(1).optional(),
        }),
      ])
      .optional(),
    budget: z
      .strictObject({ tokens: z.int().positive().optional(), costUsd: z.number().positive().optional() })
      .optional(),
    maxSteps: z.int().positive().optional(),
  })
  .refine((file) => file.model !== undefined || file.models !== undefined, {
    error: 'give model (one endpoint) or models (several, in order of preference)',
    path: ['model'],
    when: isMap,
  })
  .refine((file) => file.model === undefined || file.models === undefined, {
    error: 'give model (one endpoint) or models (in order of preference), not both',
    path: ['model'],
    when: isMap,
  });

export type ModelEndpoint = z.infer<typeof modelEndpointSchema>;
export type McpServerEntry = z.infer<typeof mcpServerSchema>;
export type AgentFile = z.infer<typeof agentFileSchema>;
