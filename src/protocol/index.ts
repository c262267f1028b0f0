export * from './command.js';
export * from './decode-line.js';
export * from './error-codes.js';
export * from './line-splitter.js';
export * from './nick.js';
export * from './text.js';
export * from './wire.js';
