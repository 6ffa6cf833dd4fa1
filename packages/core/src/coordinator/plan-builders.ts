/**
 * The coordinator's strategies (seed: sequential, parallel, conditional routing, depends_on with per-task
 * conditions) expressed as plans, so they run on the same engine with the same validation, policies and events.
 */
import { describeValue } from '../errors/describe-value.js';
import { ValidationError } from '../errors/validation-error.js';
import type { InputValue, Plan, PlanStep, StepPolicy } from '../plan/plan.js';
import type { TargetRef } from '../registry/target-ref.js';

export interface Task {
  /** @default `task-<n>` (1-based position) */
  id?: string;
  target: TargetRef;
  input?: InputValue;
  /** Ids of tasks that must finish first (workflow strategy). */
  dependsOn?: readonly string[];
  /** A condition (`when`) over `request.*` and `steps.*`; false skips the task. */
  condition?: string;
  policy?: StepPolicy;
}

function toStep(task: Task, index: number): PlanStep {
  if (typeof task !== 'object' || task === null) {
    throw new ValidationError('invalid task', [
      {
        path: `tasks[${index}]`,
        code: 'type',
        message: `a task must be an object like { target: 'name' }, got ${describeValue(task)}`,
      },
    ]);
  }
  const step: PlanStep = { id: task.id ?? `task-${index + 1}`, target: task.target, input: task.input ?? {} };
  if (task.dependsOn) step.dependsOn = task.dependsOn;
  if (task.condition) step.when = task.condition;
  if (task.policy) step.policy = task.policy;
  return step;
}

function requireTasks(tasks: readonly Task[]): void {
  if (!Array.isArray(tasks) || tasks.length === 0) {
    throw new ValidationError('invalid tasks', [
      {
        path: 'tasks',
        code: 'required',
        message: `tasks must be a non-empty array of tasks like [{ target: 'name' }], got ${describeValue(tasks)}`,
      },
    ]);
  }
}

function requireObject(value: unknown, path: string, example: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`invalid ${path}`, [
      { path, code: 'type', message: `${path} must be an object like ${example}, got ${describeValue(value)}` },
    ]);
  }
}

/** Checks a map of route keys to tasks: at least one route, each an object. */
export function requireRoutes(routes: unknown): asserts routes is Readonly<Record<string, Omit<Task, 'id'>>> {
  requireObject(routes, 'routes', "{ billing: { target: 'billing-agent' } }");
  const keys = Object.keys(routes as object);
  if (keys.length === 0) {
    throw new ValidationError('invalid routes', [
      { path: 'routes', code: 'required', message: 'routes is empty: give at least one route' },
    ]);
  }
}

export interface SequentialOptions {
  /** Feed each task the previous task's output when it declares no input of its own. @default false */
  pipe?: boolean;
}

/** Each task waits for the one before it; the run's output is the last task's. */
export function sequentialPlan(tasks: readonly Task[], options: SequentialOptions = {}): Plan {
  requireTasks(tasks);
  requireObject(options, 'options', '{ pipe: true }');
  const steps = tasks.map((task, i) => {
    const step = toStep(task, i);
    const previous = i > 0 ? (tasks[i - 1]?.id ?? `task-${i}`) : undefined;
    if (previous) {
      step.dependsOn = [...(step.dependsOn ?? []), previous];
      if (options.pipe && task.input === undefined) step.input = { $ref: `steps.${previous}.output` };
    }
    return step;
  });
  const last = steps[steps.length - 1] as PlanStep;
  return { steps, output: { $ref: `steps.${last.id}.output` } };
}

/** Every task at once; the run's output maps task ids to outputs. */
export function parallelPlan(tasks: readonly Task[]): Plan {
  requireTasks(tasks);
  const steps = tasks.map(toStep);
  return {
    steps,
    output: Object.fromEntries(steps.map((s) => [s.id, { $ref: `steps.${s.id}.output`, default: null }])),
  };
}

/** Tasks ordered by `dependsOn` and gated by `condition`: the seed's workflow with depends_on and conditions. */
export function workflowPlan(tasks: readonly Task[]): Plan {
  requireTasks(tasks);
  return { steps: tasks.map(toStep) };
}

export interface RoutedPlanOptions {
  /** The target that picks the route: its output holds the route key at `routeField`. */
  router: TargetRef;
  /** The router's input. @default { $ref: 'request.data' } */
  input?: InputValue;
  routes: Readonly<Record<string, Omit<Task, 'id' | 'dependsOn'>>>;
  /** Taken when the router names no known route. */
  fallbackRoute?: Omit<Task, 'id' | 'dependsOn'>;
  /** @default 'route' */
  routeField?: string;
}

/**
 * A router target picks the route; exactly one branch runs (or the fallback route). Branch step ids are the route
 * keys; the router step is `route`. The run's output holds only the branch that ran: `{ [routeKey]: output }`.
 */
export function routedPlan(options: RoutedPlanOptions): Plan {
  requireObject(options, 'options', "{ router: 'router-agent', routes: { billing: { target: 'billing-agent' } } }");
  requireRoutes(options.routes);
  const keys = Object.keys(options.routes);
  if (options.routeField !== undefined && (typeof options.routeField !== 'string' || options.routeField === '')) {
    throw new ValidationError('invalid routeField', [
      {
        path: 'routeField',
        code: 'type',
        message: `routeField must be a non-empty string, got ${describeValue(options.routeField)}`,
      },
    ]);
  }
  const field = options.routeField ?? 'route';
  const chosen = `steps.route.output.${field}`;
  const steps: PlanStep[] = [{ id: 'route', target: options.router, input: options.input ?? { $ref: 'request.data' } }];
  const quoted = keys.map((k) => `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  keys.forEach((key, i) => {
    const task = options.routes[key] as Task;
    steps.push({ ...toStep({ ...task, id: key }, i), dependsOn: ['route'], when: `${chosen} == ${quoted[i]}` });
  });
  if (options.fallbackRoute) {
    const step = toStep({ ...options.fallbackRoute, id: 'fallback-route' }, keys.length);
    steps.push({ ...step, dependsOn: ['route'], when: `!(${chosen} in [${quoted.join(', ')}])` });
  }
  return { steps };
}
