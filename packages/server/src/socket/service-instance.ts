/**
 * One connected instance of a service: its socket (absent while it is away), the tasks it holds, and when it was last
 * heard from. An instance is `up` (takes tasks), `draining` (finishing its tasks, takes no new ones) or `down`.
 */
import { randomUUID } from 'node:crypto';
import { ACKNOWLEDGED_TYPES, type ServerMessage } from '@baton/protocol';
import type { WebSocket } from 'ws';
import { sendText } from './gathered-send.js';

export type InstanceStatus = 'up' | 'draining' | 'down';

/** A server → service message as sent: the `id` is filled in by `send`. */
export type OutgoingMessage = ServerMessage extends infer M
  ? M extends { id: string }
    ? Omit<M, 'id'>
    : never
  : never;

export class ServiceInstance {
  status: InstanceStatus = 'up';
  lastSeenAt = Date.now();
  readonly connectedAt = Date.now();
  /** Task ids sent to this instance and not answered yet. */
  readonly outstanding = new Set<string>();
  /** Ids of sent messages that take an ack and have not had one, oldest first (at most the latest 10 000). */
  private readonly unacknowledged = new Set<string>();
  /** Tasks this instance was told to cancel, whose one outcome is still to come (at most the latest 10 000). */
  private readonly cancelled = new Set<string>();

  constructor(
    readonly id: string,
    readonly projectId: string,
    readonly serviceId: string,
    /** The API key the socket authenticated with: revoking it closes the socket. */
    readonly keyId: string,
    readonly maxConcurrency: number,
    private readonly socket: WebSocket,
    /** The schema revision its `hello` registered: it is sent only tasks of runs that resolved this revision. */
    readonly revision?: number,
  ) {}

  get hasCapacity(): boolean {
    return this.status === 'up' && this.outstanding.size < this.maxConcurrency;
  }

  /** Whether it serves `revision` (undefined: a task that names none, queued before revisions were routed). */
  serves(revision: number | undefined): boolean {
    return revision === undefined || this.revision === undefined || revision === this.revision;
  }

  /** Sends a message; false when the socket is not open (the caller treats the instance as gone). */
  send(message: OutgoingMessage): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    const id = randomUUID();
    if (ACKNOWLEDGED_TYPES.has(message.type)) {
      this.unacknowledged.add(id);
      if (this.unacknowledged.size > 10_000)
        this.unacknowledged.delete(this.unacknowledged.values().next().value as string);
    }
    sendText(this.socket, JSON.stringify({ ...message, id }));
    return true;
  }

  /** Tells the instance to stop `taskId`; the outcome it may still send for it is then expected, not an error. */
  cancel(taskId: string, reason: string): void {
    this.outstanding.delete(taskId);
    this.cancelled.add(taskId);
    if (this.cancelled.size > 10_000) this.cancelled.delete(this.cancelled.values().next().value as string);
    this.send({ type: 'cancel', taskId, reason });
  }

  /** True once for a task this instance was told to cancel: its late outcome is acknowledged and ignored quietly. */
  answeredAfterCancel(taskId: string): boolean {
    return this.cancelled.delete(taskId);
  }

  /** Records the ack of a sent message; false when no message with that id waits for one. */
  acknowledge(messageId: string): boolean {
    return this.unacknowledged.delete(messageId);
  }

  close(code: number, reason: string): void {
    this.status = 'down';
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  terminate(): void {
    this.status = 'down';
    this.socket.terminate();
  }
}
