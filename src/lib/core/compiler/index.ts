/** The prompt compiler ("Data Generation"): registry model, built-in library, compiler, reply extractor. */
export * from './registry';
export * from './settings';
export * from './compile';
export * from './extract';
export { BUILTIN_CHUNKS, BUILTIN_TEMPLATES } from './library';
