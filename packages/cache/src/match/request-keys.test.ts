import { describe, expect, it } from 'vitest';
import type { CacheRequest, CacheScope } from './request.js';
import { exactKey, lastUserTurn, normalizePrompt, partitionKey, requestKeys, scopeKey } from './request-keys.js';

const ask = (content: unknown, extra: Partial<CacheRequest> = {}): CacheRequest => ({
  model: 'm',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('scopeKey', () => {
  const pairs: [CacheScope, CacheScope][] = [
    [{ tenant: 'x|p=y' }, { tenant: 'x', project: 'y|p=' }],
    [
      { tenant: 'a', project: 'b|u=c' },
      { tenant: 'a', project: 'b', user: 'c|u=' },
    ],
    [{ tenant: 'a|p=b|u=c' }, { tenant: 'a', project: 'b|u=c|p=', user: '' }],
    [{ tenant: '' }, {}],
    [{ user: '' }, { user: undefined }],
    [{ tenant: 'a=b' }, { tenant: 'a', project: 'b' }],
    [{ tenant: '"a","b"' }, { tenant: 'a', project: 'b' }],
    [{ tenant: 'e\u0301' }, { tenant: '\u00e9' }],
    [{ tenant: '租户', project: 'π' }, { tenant: '租户π' }],
  ];

  it.each(pairs)('keeps %j and %j apart', (a, b) => {
    expect(scopeKey(a)).not.toBe(scopeKey(b));
    expect(exactKey(ask('q', { scope: a }))).not.toBe(exactKey(ask('q', { scope: b })));
    expect(partitionKey(ask('q', { scope: a }))).not.toBe(partitionKey(ask('q', { scope: b })));
  });

  it('gives the same scope the same key, whatever the order of its fields', () => {
    expect(scopeKey({ user: 'u', tenant: 't' })).toBe(scopeKey({ tenant: 't', user: 'u' }));
    expect(scopeKey(undefined)).toBe(scopeKey({}));
  });
});

describe('exact keys', () => {
  it('keep case: case-sensitive codes never share an exact key', () => {
    expect(exactKey(ask('What does ls -R do?'))).not.toBe(exactKey(ask('What does ls -r do?')));
    expect(exactKey(ask('strftime %m'))).not.toBe(exactKey(ask('strftime %M')));
    expect(normalizePrompt('  Use %M  here?! ')).toBe('Use %M here');
  });

  it('ignore whitespace runs and trailing ?, ! and .', () => {
    expect(exactKey(ask('  What is  the capital of France?! '))).toBe(exactKey(ask('What is the capital of France')));
  });

  it('keep case in earlier turns too', () => {
    const conversation = (earlier: string) => ({
      model: 'm',
      messages: [
        { role: 'user', content: earlier },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'and then?' },
      ],
    });
    expect(partitionKey(conversation('ls -R'))).not.toBe(partitionKey(conversation('ls -r')));
  });

  it('never key a Date or an ArrayBuffer in the parameters as {}', () => {
    const a = ask('q', { params: { since: new Date(0), blob: new Uint8Array([1]).buffer } });
    const b = ask('q', { params: { since: new Date(1), blob: new Uint8Array([1]).buffer } });
    const c = ask('q', { params: { since: new Date(0), blob: new Uint8Array([2]).buffer } });
    expect(new Set([exactKey(a), exactKey(b), exactKey(c)]).size).toBe(3);
  });
});

describe('attachments', () => {
  const image = (bytes: number[], mediaType = 'image/png') => ({
    type: 'file',
    mediaType,
    data: new Uint8Array(bytes),
  });
  const withImage = (bytes: number[], mediaType?: string) =>
    ask([{ type: 'text', text: 'What is in this picture?' }, image(bytes, mediaType)]);

  it('key two same-length images apart, in the exact key and the partition', () => {
    const a = requestKeys(withImage([1, 2, 3, 4]));
    const b = requestKeys(withImage([4, 3, 2, 1]));
    expect(a.exact).not.toBe(b.exact);
    expect(a.partition).not.toBe(b.partition);
  });

  it('key the same bytes alike as Uint8Array, Buffer, ArrayBuffer, base64 and data URL', () => {
    const bytes = [137, 80, 78, 71, 0, 255];
    const forms = [
      new Uint8Array(bytes),
      Buffer.from(bytes),
      new Uint8Array(bytes).buffer,
      Buffer.from(bytes).toString('base64'),
      `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`,
    ];
    const keys = forms.map((data) =>
      exactKey(
        ask([
          { type: 'text', text: 'What is this?' },
          { type: 'file', mediaType: 'image/png', data },
        ]),
      ),
    );
    expect(new Set(keys).size).toBe(1);
  });

  it('key the media type with the bytes', () => {
    expect(exactKey(withImage([1, 2]))).not.toBe(exactKey(withImage([1, 2], 'image/jpeg')));
  });

  it('key a URL by its address, and an attachment in an earlier turn too', () => {
    const byUrl = (href: string) =>
      ask([
        { type: 'text', text: 'Describe it' },
        { type: 'file', mediaType: 'image/png', data: new URL(href) },
      ]);
    expect(exactKey(byUrl('https://example.com/a.png'))).not.toBe(exactKey(byUrl('https://example.com/b.png')));
    const earlier = (bytes: number[]) => ({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look' }, image(bytes)] },
        { role: 'assistant', content: 'I see it.' },
        { role: 'user', content: 'What colour is it?' },
      ],
    });
    expect(partitionKey(earlier([1, 2]))).not.toBe(partitionKey(earlier([2, 1])));
  });

  it('leave attachments out of the text the semantic tier embeds', () => {
    expect(lastUserTurn(withImage([1, 2, 3]).messages)).toBe('What is in this picture?');
  });
});
