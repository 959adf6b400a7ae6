/**
 * One entry → its lines in a chosen export format, or the reason it was skipped. Per format, the
 * static list of what that format never carries is `lossNotes` (loss-notes.ts, which the export
 * dialog imports without the writers and the template engine).
 */
import type { Entry } from '../model';
import { entryToLine, type ExportFileFormat } from './serialize';
import { writeAlpaca } from './write-alpaca';
import { writeOpenAi } from './write-openai';
import { writePromptResponse, type PromptResponseMode } from './write-prompt-response';
import { writeShareGpt } from './write-sharegpt';
import { written, type WriteOutcome } from './write-outcome';
import { writeDpo, writeKto, writeShareGptRanking } from './write-preference';
import { writeRenderedText, type RenderedTextOptions } from './write-rendered-text';

export interface WriterOptions {
	/** `openai` only: add `id` and `metadata: {tags, review, characters?}` (default false: minimal). */
	openAiMetadata?: boolean;
	/** `openai` only: keep message keys OpenAI does not define (default false: only OpenAI's keys). */
	openAiKeepExtras?: boolean;
	/** `prompt-response` only (default `single-turn`). */
	promptResponseMode?: PromptResponseMode;
	/** `rendered-text` only: the target's template (set by the worker) and whether to add assistant spans. */
	renderedText?: RenderedTextOptions;
}

export function writeEntry(entry: Entry, format: ExportFileFormat, options: WriterOptions = {}): WriteOutcome {
	switch (format) {
		case 'skein':
			return written([entryToLine(entry, 'skein')]);
		case 'openai':
			return writeOpenAi(entry, options.openAiMetadata ?? false, options.openAiKeepExtras ?? false);
		case 'sharegpt':
			return writeShareGpt(entry);
		case 'alpaca':
			return writeAlpaca(entry);
		case 'prompt-response':
			return writePromptResponse(entry, options.promptResponseMode ?? 'single-turn');
		case 'dpo':
			return writeDpo(entry);
		case 'kto':
			return writeKto(entry);
		case 'sharegpt-ranking':
			return writeShareGptRanking(entry);
		case 'rendered-text':
			return writeRenderedText(entry, options.renderedText ?? {});
	}
}

export { lossNotes } from './loss-notes';
