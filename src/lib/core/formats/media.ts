/**
 * Multimodal columns as LLaMA-Factory documents them (data/README.md "Multimodal … Dataset"):
 * `images`, `videos` and `audios` list the media files, and the text holds one `<image>`,
 * `<video>` or `<audio>` token per file, in order ("The number of images should be identical to
 * the `<image>` tokens in the conversations"). Skein keeps the columns as top-level metadata
 * (`entry.extra`), and the Skein, ShareGPT and Alpaca exports write them back.
 */
import { hasKey, type JsonRecord } from '../json-safety';
import type { Message } from '../model';
import type { ConversionContext } from './conversion';

export const MEDIA_COLUMNS = [
	{ column: 'images', token: '<image>', part: 'image_url' },
	{ column: 'videos', token: '<video>', part: 'video_url' },
	{ column: 'audios', token: '<audio>', part: 'audio_url' }
] as const;
export type MediaColumn = (typeof MEDIA_COLUMNS)[number]['column'];

/** The media columns a record (or an entry's extra) carries, in MEDIA_COLUMNS order. */
export function mediaColumnsOf(record: JsonRecord): MediaColumn[] {
	const found: MediaColumn[] = [];
	for (const { column } of MEDIA_COLUMNS) if (hasKey(record, column) && record[column] !== null && record[column] !== undefined) found.push(column);
	return found;
}

/** Notes the media columns of an imported record ("media column images kept …"). */
export function noteMediaColumns(record: JsonRecord, ctx: ConversionContext): void {
	for (const column of mediaColumnsOf(record)) ctx.note(`media column "${column}" kept as metadata (written back by the Skein, ShareGPT and Alpaca exports)`);
}

/** How many files a media column lists: a list's length, 1 for a single value (LLaMA-Factory accepts a scalar). */
export function mediaListLength(value: unknown): number {
	if (value === null || value === undefined) return 0;
	return Array.isArray(value) ? value.length : 1;
}

function countOf(text: string, token: string): number {
	let count = 0;
	for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + token.length)) count++;
	return count;
}

/** Media tokens in the text of the messages, per token. */
export function countMediaTokens(messages: readonly unknown[], token: string): number {
	let count = 0;
	for (const message of messages) {
		if (typeof message !== 'object' || message === null) continue;
		const content = (message as Message).content;
		if (typeof content === 'string' && content.length >= token.length) count += countOf(content, token);
	}
	return count;
}
