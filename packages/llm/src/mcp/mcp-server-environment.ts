/**
 * The environment an MCP server started over stdio gets besides the MCP SDK's safe few variables (`PATH`, `HOME`, …):
 * npm's and `update-notifier`'s update notices turned off. Servers are often started with `npx`, whose notice about
 * a newer npm would otherwise appear among the server's output in `baton run agent.yaml`. What the server's `env`
 * sets wins.
 *
 * @example
 * mcpServerEnvironment({ API_TOKEN: 'x' }); // { npm_config_update_notifier: 'false', NO_UPDATE_NOTIFIER: '1', API_TOKEN: 'x' }
 */
export function mcpServerEnvironment(env: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { npm_config_update_notifier: 'false', NO_UPDATE_NOTIFIER: '1', ...env };
}
