/** `createService` / `start` was given options the protocol cannot carry; `problems` lists each one. */
import { ServiceError } from './service-error.js';

export class ServiceDefinitionError extends ServiceError {
  readonly problems: string[];

  constructor(subject: string, problems: string[]) {
    super('invalid-service-definition', `${subject} is not valid: ${problems.join('; ')}`);
    this.name = 'ServiceDefinitionError';
    this.problems = problems;
  }

  static override isInstance(error: unknown): error is ServiceDefinitionError {
    return ServiceError.isInstance(error) && error.code === 'invalid-service-definition';
  }
}
