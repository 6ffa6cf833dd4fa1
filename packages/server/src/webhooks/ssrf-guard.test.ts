import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, type HostLookup, refusedRange } from './ssrf-guard.js';
import { WebhookUrlError } from './webhook-url-error.js';

const publicLookup: HostLookup = async () => [{ address: '93.184.215.14', family: 4 }];
const failingLookup: HostLookup = async () => {
  throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
};

async function refusal(url: string, lookup: HostLookup = publicLookup): Promise<WebhookUrlError> {
  try {
    await checkWebhookUrl(url, { allowPrivate: false, lookup });
  } catch (error) {
    if (WebhookUrlError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('checkWebhookUrl', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.1.2.3:8080/hook', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://[::127.0.0.1]/', 'loopback'],
    ['http://[::ffff:0:127.0.0.1]/', 'loopback'],
    ['http://[64:ff9b::10.0.0.1]/', 'private'],
    ['http://[2002:a9fe:a9fe::]/', 'linkLocal'],
    ['http://10.0.0.1/', 'private'],
    ['http://10.255.255.255/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://172.31.255.254/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://[::ffff:192.168.1.1]/', 'private'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['http://[::ffff:169.254.169.254]/', 'linkLocal'],
    ['http://0xa9fea9fe/', 'linkLocal'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://[fc00::1]/', 'uniqueLocal'],
    ['http://[fd12:3456::1]/', 'uniqueLocal'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://240.0.0.1/', 'reserved'],
    ['http://192.0.2.1/', 'reserved'],
    ['http://[2001:db8::1]/', 'reserved'],
  ])('refuses %s (%s)', async (url, range) => {
    const error = await refusal(url);
    expect(error.reason).toBe('private-address');
    expect(error.range).toBe(range);
    expect(error.message).toContain(error.address);
  });

  it('refuses localhost through the real resolver', async () => {
    const error = await checkWebhookUrl('http://localhost:3000/hook', { allowPrivate: false }).catch((e) => e);
    expect(WebhookUrlError.isInstance(error)).toBe(true);
    expect(['private-address', 'unresolvable']).toContain(error.reason);
  });

  it('refuses a host whose addresses include one private address among public ones', async () => {
    const lookup: HostLookup = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      { address: '10.1.2.3', family: 4 },
    ];
    const error = await refusal('https://rebind.example.com/hook', lookup);
    expect(error).toMatchObject({ reason: 'private-address', address: '10.1.2.3', range: 'private' });
    expect(error.message).toContain('https://rebind.example.com/hook');
  });

  it('refuses a host resolving to a mapped IPv6 loopback', async () => {
    const error = await refusal('https://sneaky.example.com/', async () => [
      { address: '::ffff:127.0.0.1', family: 6 },
    ]);
    expect(error.range).toBe('loopback');
  });

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)', 'ws://a.com/'])(
    'refuses the scheme of %s',
    async (url) => {
      expect((await refusal(url)).reason).toBe('scheme');
    },
  );

  it.each(['not a url', '/relative/path', 'http://', ''])('refuses %j as invalid', async (url) => {
    expect((await refusal(url)).reason).toBe('invalid-url');
  });

  it('refuses a URL over 2048 characters', async () => {
    expect((await refusal(`https://example.com/${'a'.repeat(2100)}`)).reason).toBe('invalid-url');
  });

  it('refuses credentials and strips them from the error', async () => {
    const error = await refusal('https://user:hunter2@example.com/hook');
    expect(error.reason).toBe('credentials');
    expect(error.url).toBe('https://example.com/hook');
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2');
  });

  it('refuses a host that does not resolve, or resolves to nothing', async () => {
    expect((await refusal('https://nowhere.invalid/', failingLookup)).reason).toBe('unresolvable');
    expect((await refusal('https://empty.example.com/', async () => [])).reason).toBe('unresolvable');
  });

  it('accepts public addresses from the injected lookup and returns all of them', async () => {
    const lookup: HostLookup = async (hostname) => {
      expect(hostname).toBe('hooks.example.com');
      return [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ];
    };
    const checked = await checkWebhookUrl('https://hooks.example.com:8443/baton?x=1', { allowPrivate: false, lookup });
    expect(checked.url.href).toBe('https://hooks.example.com:8443/baton?x=1');
    expect(checked.addresses).toHaveLength(2);
  });

  it.each(['http://8.8.8.8/', 'http://[2606:4700:4700::1111]/', 'http://[::ffff:8.8.8.8]/', 'http://134744072/'])(
    'accepts the public literal %s without a lookup',
    async (url) => {
      const checked = await checkWebhookUrl(url, { allowPrivate: false, lookup: failingLookup });
      expect(checked.addresses).toHaveLength(1);
    },
  );

  it('lets loopback and private addresses through when allowPrivate is set', async () => {
    const loopback = await checkWebhookUrl('http://127.0.0.1:9999/', { allowPrivate: true });
    expect(loopback.addresses).toEqual([{ address: '127.0.0.1', family: 4 }]);
    const named = await checkWebhookUrl('http://inner.example/', {
      allowPrivate: true,
      lookup: async () => [{ address: '10.0.0.5', family: 4 }],
    });
    expect(named.addresses[0]!.address).toBe('10.0.0.5');
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.170.2/v2/credentials',
    'http://[fd00:ec2::254]/latest',
    'http://[::ffff:169.254.169.254]/',
    'http://100.100.100.200/latest/meta-data',
  ])('refuses the cloud metadata address of %s even when allowPrivate is set', async (url) => {
    await expect(checkWebhookUrl(url, { allowPrivate: true })).rejects.toMatchObject({
      reason: 'private-address',
      range: 'metadata',
      message: expect.stringContaining('not even with BATON_WEBHOOK_ALLOW_PRIVATE=1'),
    });
  });

  it('refuses a host name that resolves to a metadata address even when allowPrivate is set', async () => {
    const lookup: HostLookup = async () => [{ address: '169.254.169.254', family: 4 }];
    await expect(checkWebhookUrl('http://meta.example/', { allowPrivate: true, lookup })).rejects.toMatchObject({
      range: 'metadata',
    });
  });

  it('still refuses schemes and credentials when allowPrivate is set', async () => {
    await expect(checkWebhookUrl('ftp://127.0.0.1/', { allowPrivate: true })).rejects.toMatchObject({
      reason: 'scheme',
    });
    await expect(checkWebhookUrl('http://a:b@127.0.0.1/', { allowPrivate: true })).rejects.toMatchObject({
      reason: 'credentials',
    });
  });
});

describe('refusedRange', () => {
  it('names nothing for public unicast addresses', () => {
    expect(refusedRange('1.1.1.1')).toBeUndefined();
    expect(refusedRange('2a00:1450:4001:80b::200e')).toBeUndefined();
  });

  it('refuses what is not an address', () => {
    expect(refusedRange('not-an-ip')).toBe('invalid');
  });
});
