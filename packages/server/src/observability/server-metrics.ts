/**
 * `GET /metrics` in Prometheus text format (prom-client, on a registry of its own): orchestrations by status, step
 * durations by service, connected service instances, tasks waiting for an instance, webhook deliveries by outcome,
 * and the process's own figures (`baton_process_cpu_seconds_total`, `baton_nodejs_heap_size_used_bytes`, …).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  orchestrationsByStatus(): Promise<Record<string, number>>;
  connectedInstances(): number;
  queueDepth(): number;
  /** Replicas of this deployment alive now (1 on SQLite). */
  liveReplicas(): number;
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly stepDuration: Histogram<'service' | 'outcome'>;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly orchestrationsFinished: Counter<'status'>;

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'baton_' });
    new Gauge({
      name: 'baton_orchestrations',
      help: 'Orchestrations by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [status, count] of Object.entries(await sources.orchestrationsByStatus()))
          this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'baton_service_instances_connected',
      help: 'Service instances connected to this server',
      registers: [this.registry],
      collect() {
        this.set(sources.connectedInstances());
      },
    });
    new Gauge({
      name: 'baton_task_queue_depth',
      help: 'Tasks waiting for an instance of their service',
      registers: [this.registry],
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: 'baton_replicas_live',
      help: 'Server replicas on this database that this one sees alive, itself included',
      registers: [this.registry],
      collect() {
        this.set(sources.liveReplicas());
      },
    });
    this.stepDuration = new Histogram({
      name: 'baton_step_duration_seconds',
      help: 'Duration of orchestration steps, by service',
      labelNames: ['service', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [this.registry],
    });
    this.webhookDeliveries = new Counter({
      name: 'baton_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.orchestrationsFinished = new Counter({
      name: 'baton_orchestrations_finished_total',
      help: 'Orchestrations finished by this server, by status',
      labelNames: ['status'],
      registers: [this.registry],
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
