/** A webhook URL that may not receive deliveries: wrong scheme, credentials, or an address inside the network. */
import { BatonError } from '@baton/core';

/** Why a URL was refused. */
export type WebhookUrlReason = 'invalid-url' | 'scheme' | 'credentials' | 'unresolvable' | 'private-address';

export interface WebhookUrlErrorDetails {
  /** The URL as given, with any user name and password removed. */
  url: string;
  reason: WebhookUrlReason;
  /** The refused address, for `private-address`. */
  address?: string;
  /** The address's range as ipaddr.js names it (`loopback`, `private`, `linkLocal`, …), for `private-address`. */
  range?: string;
}

export class WebhookUrlError extends BatonError {
  readonly url: string;
  readonly reason: WebhookUrlReason;
  readonly address: string | undefined;
  readonly range: string | undefined;

  constructor(message: string, details: WebhookUrlErrorDetails) {
    super('webhook-url-refused', message);
    this.name = 'WebhookUrlError';
    this.url = details.url;
    this.reason = details.reason;
    this.address = details.address;
    this.range = details.range;
  }

  static override isInstance(error: unknown): error is WebhookUrlError {
    return BatonError.isInstance(error) && error.code === 'webhook-url-refused';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), url: this.url, reason: this.reason, address: this.address, range: this.range };
  }
}
