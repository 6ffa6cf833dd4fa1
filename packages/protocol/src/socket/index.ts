export * from './gather-writes.js';
export * from './json-depth.js';
export * from './message-json-schemas.js';
export * from './messages.js';
export * from './parse-message.js';
