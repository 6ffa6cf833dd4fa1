/**
 * A JSON body that is not UTF-8 is refused with a 400 naming the first bad byte; read as text, each broken sequence
 * became U+FFFD and was stored in place of what the caller sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server-test-kit.js';

describe('a JSON body that is not UTF-8', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t?.close();
  });

  const keyNames = async () =>
    ((await (await t.request('/v1/api-keys')).json()) as { items: { name: string }[] }).items.map((key) => key.name);

  it('is refused, naming the byte, and nothing is stored', async () => {
    const before = await keyNames();
    const cases: [Buffer, number, string][] = [
      // A Latin-1 "é", a lone continuation byte, an overlong "/", a sequence cut short at the end of the body.
      [Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]), 12, 'e9'],
      [Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0x80]), Buffer.from('"}')]), 9, '80'],
      [Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), 9, 'c0'],
      [Buffer.concat([Buffer.from('{"name":"x"}'), Buffer.from([0xe2, 0x9c])]), 12, 'e2'],
    ];
    for (const [body, at, byte] of cases) {
      const response = await t.request('/v1/api-keys', { method: 'POST', body });
      const text = await response.text();
      expect(response.status, text).toBe(400);
      expect(JSON.parse(text)).toMatchObject({
        code: 'invalid-utf8',
        detail: `the body is not UTF-8: byte ${at} (0x${byte}) starts no UTF-8 character`,
        problems: [{ path: 'body', code: 'invalid-utf8', message: `byte ${at} (0x${byte}) is not UTF-8` }],
      });
    }
    expect(await keyNames()).toEqual(before);
  });

  it('takes UTF-8 of every length, with or without a byte order mark', async () => {
    const name = 'café ✓ 𝄞';
    const plain = await t.request('/v1/api-keys', { method: 'POST', body: Buffer.from(JSON.stringify({ name })) });
    expect(plain.status).toBe(201);
    const marked = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ name: `${name}!` }))]);
    expect((await t.request('/v1/api-keys', { method: 'POST', body: marked })).status).toBe(201);
    expect(await keyNames()).toEqual(expect.arrayContaining([name, `${name}!`]));
  });
});
