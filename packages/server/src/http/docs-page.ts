/**
 * The interactive API reference at `/docs`: Swagger UI's files, served from the installed `swagger-ui-dist` package
 * (nothing is fetched from elsewhere), pointed at `/openapi.json`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Baton API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true });`;

// biome-ignore lint/suspicious/noExplicitAny: mounted on apps of any environment.
export function mountDocs(app: Hono<any>): void {
  // The package's folder, found without loading its main module (which loads the whole UI bundle into the server).
  const folder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  app.get('/docs', (c) => c.html(PAGE));
  // The page's assets are relative to /docs: /docs/ is sent there, not answered 404.
  app.get('/docs/', (c) => c.redirect('/docs', 301));
  app.get('/docs/assets/docs-init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (type === undefined) return c.notFound();
    const body = await readFile(join(folder, file));
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}
