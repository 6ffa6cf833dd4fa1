/**
 * A small MCP server written with the SDK's `McpServer`, for the MCP tests: weather (read-only, structured), email
 * (with effects, text), a tool that always fails, one that hangs until cancelled the first time it is called, `whoami`
 * (its pid, so a test can kill it, and its `npm_config_update_notifier`), and `add_tool` / `remove_tool`, which change
 * the tool list (the SDK then sends `notifications/tools/list_changed`). `stats` counts calls and cancellations.
 */
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export function createFixtureMcpServer(): McpServer {
  const server = new McpServer({ name: 'fixture', version: '1.2.3' });
  const stats = { calls: 0, cancelled: 0, hangs: 0 };
  const added = new Map<string, RegisteredTool>();
  const count = () => {
    stats.calls += 1;
  };
  server.registerTool(
    'get_weather',
    {
      description: 'The current weather in a city',
      inputSchema: { city: z.string().min(1), unit: z.enum(['c', 'f']).optional() },
      outputSchema: { city: z.string(), celsius: z.number() },
      annotations: { readOnlyHint: true },
    },
    async ({ city }) => {
      count();
      const celsius = city.length * 2;
      return { content: [{ type: 'text', text: `${city}: ${celsius}°C` }], structuredContent: { city, celsius } };
    },
  );
  server.registerTool(
    'sendEmail',
    { description: 'Sends an email', inputSchema: { to: z.string(), body: z.string() } },
    async ({ to }) => {
      count();
      return { content: [{ type: 'text', text: `sent to ${to}` }] };
    },
  );
  server.registerTool('fail_always', { description: 'Always fails' }, async () => {
    count();
    return { content: [{ type: 'text', text: 'the printer is on fire' }], isError: true };
  });
  server.registerTool(
    'hang_once',
    { description: 'Hangs until cancelled the first time, answers at once after', inputSchema: { n: z.number() } },
    async ({ n }, extra) => {
      count();
      stats.hangs += 1;
      if (stats.hangs > 1) return { content: [{ type: 'text', text: `answered ${n}` }] };
      return new Promise((_resolve, reject) => {
        extra.signal.addEventListener('abort', () => {
          stats.cancelled += 1;
          reject(new Error('cancelled'));
        });
      });
    },
  );
  server.registerTool('whoami', { description: 'The process id', annotations: { readOnlyHint: true } }, async () => ({
    content: [{ type: 'text', text: String(process.pid) }],
    // What the server was started with: npm's update notices are turned off for stdio servers.
    structuredContent: { pid: process.pid, npmUpdateNotifier: process.env.npm_config_update_notifier ?? null },
  }));
  server.registerTool('stats', { description: 'Calls and cancellations seen' }, async () => ({
    content: [],
    structuredContent: { ...stats },
  }));
  server.registerTool(
    'add_tool',
    { description: 'Adds a tool (or changes its schema)', inputSchema: { name: z.string(), field: z.string() } },
    async ({ name, field }) => {
      const schema = { [field]: z.string() };
      const existing = added.get(name);
      if (existing) existing.update({ paramsSchema: schema });
      else {
        const tool = server.registerTool(
          name,
          { description: `Added: ${name}`, inputSchema: schema },
          async (args) => ({
            content: [{ type: 'text', text: JSON.stringify(args) }],
          }),
        );
        added.set(name, tool);
      }
      return { content: [{ type: 'text', text: 'ok' }] };
    },
  );
  server.registerTool(
    'remove_tool',
    { description: 'Removes an added tool', inputSchema: { name: z.string() } },
    async ({ name }) => {
      added.get(name)?.remove();
      added.delete(name);
      return { content: [{ type: 'text', text: 'ok' }] };
    },
  );
  return server;
}
