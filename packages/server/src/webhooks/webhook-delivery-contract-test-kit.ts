export function runWebhookDeliveryCases(_n: string, _c: unknown): void {}
