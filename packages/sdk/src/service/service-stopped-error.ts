/** `start()` was still waiting for its first `welcome` when `stop()` was called. */
import { ServiceError } from './service-error.js';

export class ServiceStoppedError extends ServiceError {
  readonly serviceName: string;

  constructor(serviceName: string) {
    super('service-stopped', `service "${serviceName}" was stopped before the server registered it`);
    this.name = 'ServiceStoppedError';
    this.serviceName = serviceName;
  }

  static override isInstance(error: unknown): error is ServiceStoppedError {
    return ServiceError.isInstance(error) && error.code === 'service-stopped';
  }
}
