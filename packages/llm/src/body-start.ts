/**
 * The start of an HTTP answer's body, read up to `limit` characters and no further (the rest is cancelled), to show
 * what an endpoint sent when it was not what Baton expected. A body cut short shows what came of it.
 */
export async function bodyStart(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (let read = await reader.read(); !read.done && text.length < limit; read = await reader.read()) {
      text += decoder.decode(read.value, { stream: true });
    }
  } catch {
    // Keep what came before the body broke off.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return text.slice(0, limit);
}
