/**
 * Dataset analysis (SPEC §5), pure TypeScript: streaming collectors the data worker feeds block by
 * block, and the statistics, checklist, cost and sampling helpers the page renders from.
 * Tokenizers are loaded through `tokenizers.ts` with dynamic imports: only the worker calls it.
 */
export * from './stats';
export * from './cost';
export * from './sampling';
export * from './diversity';
export * from './checklist';
export * from './structure';
export * from './tokens';
export * from './duplicates';
export { entryExcerpt, excerpt } from './entry-text';
export { TOKENIZERS, TOKENIZER_IDS, DEFAULT_TOKENIZER, tokenizerInfo, isTokenizerId, type TokenizerId, type TokenizerInfo } from './tokenizers';
