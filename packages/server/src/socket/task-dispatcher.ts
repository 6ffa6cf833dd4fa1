/**
 * Hands tasks and compensation requests to connected service instances and settles them with the instances' answers.
 * A task goes only to an instance of the schema revision its run resolved (a service that re-registered with a changed
 * schema has instances of two revisions while it is redeployed); of those, the one with the fewest outstanding tasks
 * (and room for more) gets it. A task with no such instance to go to waits in its service's queue — announced as
 * `waiting-for-service` — until one connects or the grace period ends.
 * When an instance goes away, what it held goes to another instance of the service, or waits for one (the same
 * instance re-attaching included); the first answer for a task wins, later ones are acknowledged and dropped. A task
 * given somewhere else to go (another replica, `DispatchOptions.elsewhere`) goes there instead of waiting.
 *
 * @example
 * const outcome = await dispatcher.run({ id: serviceId, name: 'weather' }, spec, signal);
 */
import type { TaskError } from '@baton/protocol';
import { ServiceUnavailableError } from './dispatch-errors.js';
import type { OutgoingMessage, ServiceInstance } from './service-instance.js';

export interface TaskSpec {
  /** The engine's run (an orchestration's, or one of its retries'). */
  runId: string;
  orchestrationId: string;
  stepId: string;
  attempt: number;
  idempotencyKey: string;
  input: unknown;
  deadline: number | null;
}

export interface CompensationSpec extends TaskSpec {
  output: unknown;
  reason: { code: string; message: string };
  payload: unknown;
}

export type TaskOutcome =
  | { kind: 'result'; output: unknown }
  | { kind: 'error'; error: TaskError }
  | { kind: 'abort'; payload: unknown; reason: string | undefined };

export type CompensationOutcome = { ok: true } | { ok: false; error: TaskError | undefined };

export type DispatchStatus =
  | { type: 'waiting-for-service'; runId: string; stepId: string; service: string; serviceId: string }
  | { type: 'task-dispatched'; runId: string; stepId: string; service: string; instanceId: string }
  | { type: 'step-progress'; runId: string; stepId: string; service: string; data: unknown };

export interface ServiceRef {
  id: string;
  name: string;
  projectId: string;
  /** The schema revision the run resolved; undefined (a task queued by an older server) goes to any instance. */
  revision?: number;
}

interface Job {
  id: string;
  service: ServiceRef;
  spec: TaskSpec;
  message: OutgoingMessage;
  settle(outcome: TaskOutcome | CompensationOutcome): void;
  fail(error: unknown): void;
  instance: ServiceInstance | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  /** While the instance that held it is away: the key of `detached` it waits under. */
  detachedUnder?: string | undefined;
  /** Hands the task on instead of letting it wait here for an instance (`DispatchOptions.elsewhere`). */
  handOff?: (() => void) | undefined;
}

export interface DispatchOptions<T> {
  /**
   * Where the task goes when no instance here can take it (none of its revision connected, or the one running it went
   * away and did not come back under its id): another replica's, through the shared queue. Without it the task waits
   * here for the grace period.
   */
  elsewhere?: () => Promise<T>;
}

export interface TaskDispatcherOptions {
  /** How long a task waits for an instance of its service when none is connected. */
  graceMs: number;
  onStatus?: (status: DispatchStatus) => void;
  newId: () => string;
}

export class TaskDispatcher {
  private readonly instances = new Map<string, Set<ServiceInstance>>();
  private readonly queues = new Map<string, Job[]>();
  private readonly jobs = new Map<string, Job>();
  /**
   * Tasks of instances whose socket dropped, kept for them until they re-attach or `reattachMs` passes, and the ones
   * cancelled meanwhile: the instance is told to stop those as it re-attaches.
   */
  private readonly detached = new Map<
    string,
    { jobs: Job[]; timer: NodeJS.Timeout; cancelled: { id: string; reason: string }[] }
  >();

  constructor(private readonly options: TaskDispatcherOptions) {}

  /** Tasks waiting for an instance, over all services. */
  get queueDepth(): number {
    let depth = 0;
    for (const queue of this.queues.values()) depth += queue.length;
    return depth;
  }

  get inFlight(): number {
    return this.jobs.size;
  }

  connectedInstances(serviceId: string): ServiceInstance[] {
    return [...(this.instances.get(serviceId) ?? [])];
  }

  allInstances(): ServiceInstance[] {
    return [...this.instances.values()].flatMap((set) => [...set]);
  }

  addInstance(instance: ServiceInstance): void {
    let set = this.instances.get(instance.serviceId);
    if (set === undefined) {
      set = new Set();
      this.instances.set(instance.serviceId, set);
    }
    set.add(instance);
    for (const job of this.queues.get(instance.serviceId) ?? []) {
      if (instance.serves(job.service.revision)) this.stopGrace(job);
    }
    this.reattach(instance);
    this.pump(instance.serviceId);
  }

  /**
   * The instance's socket is gone. What it held waits `reattachMs` for it to come back under the same id (its answers
   * may still arrive, and a repeat of a task it runs is recognised by its id), then goes to another instance; with
   * `reattachMs` 0 (it missed its heartbeats) at once.
   */
  removeInstance(instance: ServiceInstance, reattachMs = 0): void {
    const set = this.instances.get(instance.serviceId);
    if (set === undefined || !set.delete(instance)) return;
    if (set.size === 0) this.instances.delete(instance.serviceId);
    const held = [...instance.outstanding].map((id) => this.jobs.get(id)).filter((job) => job !== undefined);
    instance.outstanding.clear();
    for (const job of held) job.instance = undefined;
    if (held.length > 0 && reattachMs > 0) {
      const key = `${instance.serviceId}/${instance.id}`;
      for (const job of held) job.detachedUnder = key;
      const timer = setTimeout(() => {
        this.detached.delete(key);
        for (const job of held) job.detachedUnder = undefined;
        this.requeue(instance.serviceId, held);
      }, reattachMs);
      timer.unref?.();
      this.detached.set(key, { jobs: held, timer, cancelled: [] });
      return;
    }
    this.requeue(instance.serviceId, held);
  }

  /** The instance takes no new tasks. */
  drain(instance: ServiceInstance): void {
    instance.status = 'draining';
  }

  run(
    service: ServiceRef,
    spec: TaskSpec,
    signal: AbortSignal,
    options: DispatchOptions<TaskOutcome> = {},
  ): Promise<TaskOutcome> {
    const taskId = this.options.newId();
    const message: OutgoingMessage = {
      type: 'task',
      taskId,
      orchestrationId: spec.orchestrationId,
      stepId: spec.stepId,
      attempt: spec.attempt,
      idempotencyKey: spec.idempotencyKey,
      input: spec.input ?? null,
      deadline: spec.deadline,
    };
    return this.submit<TaskOutcome>(taskId, service, spec, message, signal, options);
  }

  compensate(
    service: ServiceRef,
    spec: CompensationSpec,
    signal: AbortSignal,
    options: DispatchOptions<CompensationOutcome> = {},
  ): Promise<CompensationOutcome> {
    const compensationId = this.options.newId();
    const message: OutgoingMessage = {
      type: 'compensate',
      compensationId,
      orchestrationId: spec.orchestrationId,
      stepId: spec.stepId,
      input: spec.input ?? null,
      output: spec.output ?? null,
      reason: spec.reason,
      payload: spec.payload ?? null,
      attempt: spec.attempt,
      idempotencyKey: spec.idempotencyKey,
      deadline: spec.deadline,
    };
    return this.submit<CompensationOutcome>(compensationId, service, spec, message, signal, options);
  }

  /** An instance answered `jobId`; false when no such task or compensation is waiting for an answer. */
  answer(instance: ServiceInstance, jobId: string, outcome: TaskOutcome | CompensationOutcome): boolean {
    instance.outstanding.delete(jobId);
    const job = this.jobs.get(jobId);
    if (job === undefined || job.service.id !== instance.serviceId) {
      this.pump(instance.serviceId);
      return instance.answeredAfterCancel(jobId);
    }
    if (job.instance !== undefined && job.instance !== instance) {
      job.instance.cancel(jobId, 'another instance answered first');
    }
    this.forget(job);
    job.settle(outcome);
    this.pump(instance.serviceId);
    return true;
  }

  progress(instance: ServiceInstance, taskId: string, data: unknown): boolean {
    const job = this.jobs.get(taskId);
    if (job === undefined || job.service.id !== instance.serviceId) return false;
    this.options.onStatus?.({
      type: 'step-progress',
      runId: job.spec.runId,
      stepId: job.spec.stepId,
      service: job.service.name,
      data,
    });
    return true;
  }

  /** Fails every task of a service (it was deleted). */
  failService(serviceId: string, error: unknown): void {
    for (const job of [...this.jobs.values()]) {
      if (job.service.id !== serviceId) continue;
      this.forget(job);
      job.fail(error);
    }
  }

  close(error: unknown): void {
    for (const kept of this.detached.values()) clearTimeout(kept.timer);
    this.detached.clear();
    for (const job of [...this.jobs.values()]) {
      this.forget(job);
      job.fail(error);
    }
  }

  private submit<T>(
    id: string,
    service: ServiceRef,
    spec: TaskSpec,
    message: OutgoingMessage,
    signal: AbortSignal,
    options: DispatchOptions<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        if (!this.jobs.has(id)) return;
        const holder = job.instance;
        this.forget(job);
        if (holder !== undefined) {
          holder.cancel(id, describeReason(signal.reason));
          this.pump(service.id);
        } else {
          this.cancelWhenBack(job, describeReason(signal.reason));
        }
        reject(signal.reason);
      };
      const job: Job = {
        id,
        service,
        spec,
        message,
        instance: undefined,
        graceTimer: undefined,
        settle: (outcome) => {
          signal.removeEventListener('abort', onAbort);
          resolve(outcome as T);
        },
        fail: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
        handOff:
          options.elsewhere === undefined
            ? undefined
            : () => {
                signal.removeEventListener('abort', onAbort);
                (options.elsewhere as () => Promise<T>)().then(resolve, reject);
              },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.jobs.set(id, job);
      this.queueOf(service.id).push(job);
      this.pump(service.id);
      if (job.instance === undefined) this.announceWaiting(service.id);
    });
  }

  private requeue(serviceId: string, held: Job[]): void {
    const queue = this.queueOf(serviceId);
    for (const job of [...held].reverse()) if (this.jobs.has(job.id) && job.instance === undefined) queue.unshift(job);
    if (queue.length === 0) this.queues.delete(serviceId);
    this.pump(serviceId);
    this.announceWaiting(serviceId);
  }

  /** A task cancelled while the instance that runs it is away: it is told to stop as it re-attaches. */
  private cancelWhenBack(job: Job, reason: string): void {
    if (job.detachedUnder === undefined) return;
    this.detached.get(job.detachedUnder)?.cancelled.push({ id: job.id, reason });
  }

  /**
   * An instance came back under its id: the tasks it held are its again, and sent again (it knows them by id); those
   * cancelled while it was away it is told to stop, and their late outcome is acknowledged quietly.
   */
  private reattach(instance: ServiceInstance): void {
    const key = `${instance.serviceId}/${instance.id}`;
    const kept = this.detached.get(key);
    if (kept === undefined) return;
    clearTimeout(kept.timer);
    this.detached.delete(key);
    for (const { id, reason } of kept.cancelled) instance.cancel(id, reason);
    const others: Job[] = [];
    for (const job of kept.jobs) {
      job.detachedUnder = undefined;
      if (!this.jobs.has(job.id) || job.instance !== undefined) continue;
      // It came back registering another schema: what it held before waits for an instance of that revision.
      if (!instance.serves(job.service.revision)) {
        others.push(job);
        continue;
      }
      instance.outstanding.add(job.id);
      job.instance = instance;
      if (!instance.send(job.message)) {
        instance.outstanding.delete(job.id);
        job.instance = undefined;
        this.requeue(instance.serviceId, [job]);
      }
    }
    if (others.length > 0) this.requeue(instance.serviceId, others);
  }

  /** Sends the queued tasks, in order, each to an instance of its revision with room; the others keep waiting. */
  private pump(serviceId: string): void {
    const queue = this.queues.get(serviceId);
    // Revisions no instance has room for now: their other tasks are passed over without looking again.
    const full = new Set<number | undefined>();
    for (let at = 0; queue !== undefined && at < queue.length && this.hasRoom(serviceId); ) {
      const job = queue[at] as Job;
      const instance = full.has(job.service.revision) ? undefined : this.pick(serviceId, job.service.revision);
      if (instance === undefined) {
        full.add(job.service.revision);
        at++;
        continue;
      }
      queue.splice(at, 1);
      this.stopGrace(job);
      instance.outstanding.add(job.id);
      job.instance = instance;
      if (!instance.send(job.message)) {
        instance.outstanding.delete(job.id);
        job.instance = undefined;
        queue.splice(at, 0, job);
        this.removeInstance(instance);
        return;
      }
      this.options.onStatus?.({
        type: 'task-dispatched',
        runId: job.spec.runId,
        stepId: job.spec.stepId,
        service: job.service.name,
        instanceId: instance.id,
      });
    }
    if (queue !== undefined && queue.length === 0) this.queues.delete(serviceId);
  }

  private hasRoom(serviceId: string): boolean {
    for (const instance of this.instances.get(serviceId) ?? []) if (instance.hasCapacity) return true;
    return false;
  }

  private pick(serviceId: string, revision: number | undefined): ServiceInstance | undefined {
    let best: ServiceInstance | undefined;
    for (const instance of this.instances.get(serviceId) ?? []) {
      if (!instance.hasCapacity || !instance.serves(revision)) continue;
      if (best === undefined || instance.outstanding.size < best.outstanding.size) best = instance;
    }
    return best;
  }

  /**
   * Queued tasks with no instance of their revision connected wait for one, each for the grace period — or, given
   * somewhere else to go, go there.
   */
  private announceWaiting(serviceId: string): void {
    // A draining instance takes nothing new: tasks that only it could take wait for the grace period too.
    const connected = [...(this.instances.get(serviceId) ?? [])].filter((instance) => instance.status === 'up');
    for (const job of [...(this.queues.get(serviceId) ?? [])]) {
      if (job.graceTimer !== undefined) continue;
      if (connected.some((instance) => instance.serves(job.service.revision))) continue;
      if (job.handOff !== undefined) {
        this.forget(job);
        job.handOff();
        continue;
      }
      // Instances of another revision are connected: the error says which revision it waited for.
      const revision = connected.length > 0 ? job.service.revision : undefined;
      this.options.onStatus?.({
        type: 'waiting-for-service',
        runId: job.spec.runId,
        stepId: job.spec.stepId,
        service: job.service.name,
        serviceId,
      });
      job.graceTimer = setTimeout(() => {
        if (!this.jobs.has(job.id)) return;
        this.forget(job);
        job.fail(new ServiceUnavailableError(job.service.name, this.options.graceMs, revision));
      }, this.options.graceMs);
      job.graceTimer.unref?.();
    }
  }

  private stopGrace(job: Job): void {
    if (job.graceTimer === undefined) return;
    clearTimeout(job.graceTimer);
    job.graceTimer = undefined;
  }

  private forget(job: Job): void {
    this.jobs.delete(job.id);
    this.stopGrace(job);
    job.instance?.outstanding.delete(job.id);
    const queue = this.queues.get(job.service.id);
    if (queue === undefined) return;
    const index = queue.indexOf(job);
    if (index !== -1) queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(job.service.id);
  }

  private queueOf(serviceId: string): Job[] {
    let queue = this.queues.get(serviceId);
    if (queue === undefined) {
      queue = [];
      this.queues.set(serviceId, queue);
    }
    return queue;
  }
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'cancelled';
}
