export { type Coordinator, createCoordinator, type Router } from './coordinator.js';
export {
  parallelPlan,
  type RoutedPlanOptions,
  routedPlan,
  type SequentialOptions,
  sequentialPlan,
  type Task,
  workflowPlan,
} from './plan-builders.js';
