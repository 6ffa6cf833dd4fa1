/**
 * A server URL as one string per server, so a saved key is only sent to the server it was saved for:
 * `HTTP://Example.com:80/` and `http://example.com` are the same server; `http://127.0.0.1:7400` and
 * `http://localhost:7400` are not (a key is bound to what the user typed, not to where it resolves).
 */

/** The URL with its scheme and host in lower case, the default port and trailing slashes left out. */
export function normalizeServerUrl(url: string): string {
  try {
    return new URL(url.trim()).href.replace(/\/+$/, '');
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

/** Whether two URLs name the same server. */
export function sameServer(a: string, b: string): boolean {
  return normalizeServerUrl(a) === normalizeServerUrl(b);
}
