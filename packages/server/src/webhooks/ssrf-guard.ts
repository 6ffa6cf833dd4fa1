/**
 * Decides whether a webhook URL may receive deliveries: http(s) only, no credentials, and every address the host
 * resolves to must be a public unicast address — not private, loopback, link-local (cloud metadata included),
 * unique-local, CGNAT, multicast, reserved, nor an IPv6 form that embeds one of those. The addresses it checked are
 * returned so the request connects to exactly them, never to the answer of a second lookup (DNS rebinding).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { WebhookUrlError } from './webhook-url-error.js';

export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Resolves a host name to every address it has. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface CheckWebhookUrlOptions {
  /** Let private, loopback and other inner addresses through (development only); cloud metadata stays refused. */
  allowPrivate: boolean;
  /** @default dns.promises.lookup with `all: true` */
  lookup?: HostLookup;
}

export interface CheckedWebhookUrl {
  url: URL;
  /** Every address the host resolved to, all of them allowed. */
  addresses: ResolvedAddress[];
}

const MAX_URL_LENGTH = 2048;

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * @example
 * const { url, addresses } = await checkWebhookUrl('https://hooks.example.com/baton', { allowPrivate: false });
 * // addresses: [{ address: '93.184.215.14', family: 4 }]
 * await checkWebhookUrl('http://169.254.169.254/latest', { allowPrivate: false }); // throws WebhookUrlError
 */
export async function checkWebhookUrl(url: string, options: CheckWebhookUrlOptions): Promise<CheckedWebhookUrl> {
  const parsed = parseWebhookUrl(url);
  const shown = withoutCredentials(parsed);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = ipaddr.isValid(host)
    ? [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }]
    : await resolve(host, shown, options.lookup ?? defaultLookup);
  for (const { address } of addresses) {
    if (options.allowPrivate) refuseMetadata(address, shown);
    else refusePrivate(address, shown);
  }
  return { url: parsed, addresses };
}

/** `url` without user name and password, for messages and logs. */
export function withoutCredentials(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** The range an address falls in when it may not receive webhooks, else undefined. */
export function refusedRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return ipv4Refusal(parsed as ipaddr.IPv4);
  const ipv6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIPv4(ipv6);
  if (embedded !== undefined) return ipv4Refusal(embedded);
  const range = ipv6.range();
  return range === 'unicast' ? undefined : range;
}

function ipv4Refusal(address: ipaddr.IPv4): string | undefined {
  const range = address.range();
  return range === 'unicast' ? undefined : range;
}

/** The IPv4 address inside an IPv6 form that carries one: mapped, compatible, SIIT, NAT64 and 6to4. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const parts = address.parts;
  const fromWords = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const range = address.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') {
    return fromWords(parts[6]!, parts[7]!);
  }
  if (range === '6to4') return fromWords(parts[1]!, parts[2]!);
  // IPv4-compatible (::a.b.c.d, deprecated): everything but the last 32 bits is zero. `::` and `::1` stay IPv6.
  const compatible = parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1);
  return compatible ? fromWords(parts[6]!, parts[7]!) : undefined;
}

function parseWebhookUrl(url: string): URL {
  const shown = url.length > 200 ? `${url.slice(0, 199)}…` : url;
  if (url.length > MAX_URL_LENGTH) {
    throw new WebhookUrlError(`webhook URL "${shown}" is longer than ${MAX_URL_LENGTH} characters`, {
      url: shown,
      reason: 'invalid-url',
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlError(`webhook URL "${shown}" is not a URL; give an absolute http:// or https:// URL`, {
      url: shown.replace(/\/\/[^/@]*@/, '//'),
      reason: 'invalid-url',
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    const clean = withoutCredentials(parsed);
    throw new WebhookUrlError(
      `webhook URL "${clean}" uses ${parsed.protocol}; only http: and https: URLs are allowed`,
      {
        url: clean,
        reason: 'scheme',
      },
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    const clean = withoutCredentials(parsed);
    throw new WebhookUrlError(
      `webhook URL "${clean}" carries a user name or password; remove them (deliveries are signed instead)`,
      { url: clean, reason: 'credentials' },
    );
  }
  return parsed;
}

async function resolve(host: string, shown: string, lookup: HostLookup): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await lookup(host);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new WebhookUrlError(
      `webhook URL "${shown}": host "${host}" does not resolve${typeof code === 'string' ? ` (${code})` : ''}`,
      { url: shown, reason: 'unresolvable' },
    );
  }
  if (addresses.length === 0) {
    throw new WebhookUrlError(`webhook URL "${shown}": host "${host}" has no addresses`, {
      url: shown,
      reason: 'unresolvable',
    });
  }
  return addresses;
}

/**
 * Cloud instance metadata endpoints (AWS, GCP, Azure, OpenStack, DigitalOcean; ECS task metadata; AWS over IPv6;
 * Alibaba Cloud): refused even when private addresses are allowed, since no development setup needs a webhook there.
 */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  '169.254.169.254',
  '169.254.170.2',
  'fd00:ec2:0:0:0:0:0:254',
  '100.100.100.200',
]);

function refuseMetadata(address: string, shown: string): void {
  if (!ipaddr.isValid(address)) return;
  const parsed = ipaddr.process(address);
  const normal = parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toNormalizedString() : parsed.toString();
  const ipv6 = parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6) : undefined;
  const embedded = ipv6 === undefined ? undefined : embeddedIPv4(ipv6)?.toString();
  if (!METADATA_ADDRESSES.has(normal) && (embedded === undefined || !METADATA_ADDRESSES.has(embedded))) return;
  throw new WebhookUrlError(
    `webhook URL "${shown}" resolves to ${address}, a cloud metadata address; webhooks never go there, ` +
      'not even with BATON_WEBHOOK_ALLOW_PRIVATE=1',
    { url: shown, reason: 'private-address', address, range: 'metadata' },
  );
}

function refusePrivate(address: string, shown: string): void {
  const range = refusedRange(address);
  if (range === undefined) return;
  throw new WebhookUrlError(
    `webhook URL "${shown}" resolves to ${address}, which is not a public address (${range}); ` +
      'webhooks go to public addresses only (an operator may set BATON_WEBHOOK_ALLOW_PRIVATE=1 for development)',
    { url: shown, reason: 'private-address', address, range },
  );
}
