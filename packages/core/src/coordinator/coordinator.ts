/**
 * The coordinator: the seed's strategies (sequential, parallel, conditional routing, workflows with depends_on and
 * conditions) as one-call helpers over an engine. Each builds a plan and runs it, so every strategy gets validation,
 * retries, breakers, budgets and events for free.
 */

import type { Engine } from '../engine/engine.js';
import { describeValue } from '../errors/describe-value.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { RunHandle, RunOptions } from '../run/run-types.js';
import {
  parallelPlan,
  type RoutedPlanOptions,
  requireRoutes,
  routedPlan,
  type SequentialOptions,
  sequentialPlan,
  type Task,
  workflowPlan,
} from './plan-builders.js';

/** Picks a route key from the request, in process. */
export type Router = (request: unknown) => string | Promise<string>;

export interface Coordinator {
  sequential(tasks: readonly Task[], request?: unknown, options?: RunOptions & SequentialOptions): RunHandle;
  parallel(tasks: readonly Task[], request?: unknown, options?: RunOptions): RunHandle;
  /** Tasks with `dependsOn` and `condition`. */
  workflow(tasks: readonly Task[], request?: unknown, options?: RunOptions): RunHandle;
  /** A router function picks one route's task; an unknown route fails with a NotFoundError listing the routes. */
  conditional(
    router: Router,
    routes: Readonly<Record<string, Omit<Task, 'id' | 'dependsOn'>>>,
    request?: unknown,
    options?: RunOptions,
  ): Promise<RunHandle>;
  /** A registered router target picks the route inside the plan. */
  routed(plan: RoutedPlanOptions, request?: unknown, options?: RunOptions): RunHandle;
}

/**
 * @example
 * const coordinator = createCoordinator(engine);
 * const run = coordinator.parallel([{ target: 'ticketing' }, { target: 'sales' }], { data: { id: 7 } });
 * const { output } = await run.result(); // { 'task-1': …, 'task-2': … }
 */
export function createCoordinator(engine: Engine): Coordinator {
  if (typeof (engine as Partial<Engine> | null)?.run !== 'function') {
    throw new ValidationError('invalid engine', [
      {
        path: 'engine',
        code: engine === undefined ? 'required' : 'type',
        message: `createCoordinator needs an engine from createEngine({ registry }), got ${describeValue(engine)}`,
      },
    ]);
  }
  return {
    sequential: (tasks, request, options = {}) => {
      if (typeof options !== 'object' || options === null) return engine.run(sequentialPlan(tasks), request, options);
      const { pipe, ...runOptions } = options;
      return engine.run(sequentialPlan(tasks, { pipe }), request, runOptions);
    },
    parallel: (tasks, request, options) => engine.run(parallelPlan(tasks), request, options),
    workflow: (tasks, request, options) => engine.run(workflowPlan(tasks), request, options),
    async conditional(router, routes, request, options) {
      if (typeof router !== 'function') {
        throw new ValidationError('invalid router', [
          {
            path: 'router',
            code: 'type',
            message: `router must be a function (request) => route key, got ${describeValue(router)}`,
          },
        ]);
      }
      requireRoutes(routes);
      const key = await router(request);
      const task = typeof key === 'string' && Object.hasOwn(routes, key) ? routes[key] : undefined;
      if (!task) {
        throw new NotFoundError(
          `the router chose route ${describeValue(key)}, which is not one of: ${Object.keys(routes).join(', ')}; return one of these keys from the router`,
          {
            query: `route:${String(key)}`,
            available: Object.keys(routes),
          },
        );
      }
      return engine.run(sequentialPlan([{ ...task, id: key }]), request, options);
    },
    routed: (plan, request, options) => engine.run(routedPlan(plan), request, options),
  };
}
