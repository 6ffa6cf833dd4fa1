export { type BudgetWarning, BudgetTracker } from './budget-tracker.js';
