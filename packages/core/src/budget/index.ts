export { BudgetTracker, type BudgetWarning, type Reservation, type UsageSource } from './budget-tracker.js';
