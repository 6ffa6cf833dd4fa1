/**
 * One signed POST of a delivery, Standard Webhooks style (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * It connects only to the addresses the SSRF guard checked — the request's `lookup` hands them back instead of
 * asking DNS again — while the Host header and TLS server name stay the URL's host. Redirects are never followed:
 * only a 2xx answer counts as delivered. The whole exchange, connect to the end of the response, has one deadline.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { ResolvedAddress } from './ssrf-guard.js';

export interface SendWebhookInput {
  url: URL;
  /** The addresses checked for `url`'s host; the connection goes to one of them. */
  addresses: ResolvedAddress[];
  secret: string;
  /** The `webhook-id` header: the delivery id. */
  messageId: string;
  /** The JSON body. */
  payload: string;
  timeoutMs: number;
  /** The signing time; @default new Date() */
  now?: Date;
}

export type SendOutcome = { ok: true; statusCode: number } | { ok: false; statusCode?: number; error: string };

export const USER_AGENT = 'Baton-Webhooks/1';

/** A `lookup` for `net.connect` that answers with the pinned addresses whatever name it is asked for. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) {
      (callback as unknown as (error: null, all: ResolvedAddress[]) => void)(null, addresses);
      return;
    }
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const chosen = addresses.find((entry) => wanted === undefined || entry.family === wanted) ?? addresses[0]!;
    callback(null, chosen.address, chosen.family);
  };
}

/**
 * @example
 * const outcome = await sendWebhook({ url, addresses, secret, messageId: 'msg_…', payload: '{…}', timeoutMs: 10_000 });
 * if (!outcome.ok) console.warn(outcome.error);
 */
export function sendWebhook(input: SendWebhookInput): Promise<SendOutcome> {
  const now = input.now ?? new Date();
  const signature = new Webhook(input.secret).sign(input.messageId, now, input.payload);
  const body = Buffer.from(input.payload, 'utf8');
  const request = input.url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const req = request(
      input.url,
      {
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(input.addresses),
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': USER_AGENT,
          'webhook-id': input.messageId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
      },
      (res) => {
        const statusCode = res.statusCode ?? 0;
        res.resume();
        res.on('error', () => {});
        res.on('end', () => req.destroy());
        if (statusCode >= 200 && statusCode < 300) finish({ ok: true, statusCode });
        else if (statusCode >= 300 && statusCode < 400) {
          finish({ ok: false, statusCode, error: `HTTP ${statusCode}: redirects are not followed` });
        } else finish({ ok: false, statusCode, error: `HTTP ${statusCode}` });
      },
    );
    const deadline = setTimeout(() => {
      finish({ ok: false, error: `no response within ${input.timeoutMs} ms` });
      req.destroy();
    }, input.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, error: error.message || String(error.code) }),
    );
    req.end(body);
  });
}
