/**
 * An MCP tool's name as a registry name: `<server>.<tool>`, the tool's name lowercased with words split by `-`
 * (`get_weather`, `getWeather` and `Get Weather` all become `get-weather`). The mapping is deterministic, so two
 * tools can land on one name: the caller refuses both (see `mcp-tool-sync.ts`).
 */

const REGISTRY_NAME_LIMIT = 253;

/**
 * The registry name of a tool, or `undefined` when nothing usable is left of it (a name of only symbols) or it is too
 * long for the registry.
 * @example
 * mcpToolTargetName('weather', 'get_weather'); // 'weather.get-weather'
 * mcpToolTargetName('github', 'listPullRequests'); // 'github.list-pull-requests'
 */
export function mcpToolTargetName(server: string, tool: string): string | undefined {
  const safe = tool
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-*\.-*/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
  if (safe === '') return undefined;
  const name = `${server}.${safe}`;
  return name.length > REGISTRY_NAME_LIMIT ? undefined : name;
}
