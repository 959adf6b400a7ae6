/** The generation runtime: tasks, the dispatcher, response cache, manifests and staleness, engine choices, extraction helpers. */
export * from './task';
export * from './dispatcher';
export * from './cache-key';
export * from './clock';
export * from './retry';
export * from './rate-limiter';
export * from './manifest';
export * from './staleness';
export * from './engine-choice';
export * from './xml-tags';
export * from './think';
export { extractRecords, type ExtractResult, type ExtractedRecord } from '../compiler/extract';
export * from './answers';
