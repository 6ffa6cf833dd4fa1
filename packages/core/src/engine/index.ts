/** The engine: `createEngine()` and what it takes and returns. */
export { type ApprovalView, createEngine, type Engine, type EngineOptions } from './engine.js';
