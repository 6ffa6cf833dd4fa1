export { BudgetTracker, type BudgetWarning, type Reservation } from './budget-tracker.js';
