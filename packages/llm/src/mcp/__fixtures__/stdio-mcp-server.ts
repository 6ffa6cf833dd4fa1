/** The fixture MCP server over stdio: the entry a test spawns (bundled by `test/children/child-process.ts`). */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createFixtureMcpServer } from './fixture-mcp-server.js';

await createFixtureMcpServer().connect(new StdioServerTransport());
process.stderr.write(`fixture MCP server ${process.pid} on stdio\n`);
