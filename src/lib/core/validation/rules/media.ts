/**
 * Multimodal columns (LLaMA-Factory data/README.md): "The number of images should be identical to
 * the `<image>` tokens in the conversations" (and likewise videos / audios). A mismatch makes the
 * trainer stop with "the number of images does not match".
 */
import { countMediaTokens, MEDIA_COLUMNS, mediaListLength } from '../../formats/media';
import { hasKey, isRecord, makeFinding, messagesOf } from '../inspect';
import type { EntryRule, Finding } from '../types';

function columnsOf(entry: unknown): Record<string, unknown> | null {
	if (!isRecord(entry)) return null;
	return isRecord(entry.extra) ? entry.extra : entry;
}

export const mediaCountMismatch: EntryRule = {
	scope: 'entry',
	id: 'media-count-mismatch',
	title: 'Media tokens and files disagree',
	description: 'An entry with an images / videos / audios column must have exactly one <image> / <video> / <audio> token in its text per file listed.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const columns = columnsOf(entry);
		const messages = messagesOf(entry);
		if (columns === null || messages === null) return [];
		let findings: Finding[] | null = null;
		for (const { column, token } of MEDIA_COLUMNS) {
			if (!hasKey(columns, column) || columns[column] === null || columns[column] === undefined) continue;
			const files = mediaListLength(columns[column]);
			const tokens = countMediaTokens(messages, token);
			if (files === tokens) continue;
			(findings ??= []).push(
				makeFinding(mediaCountMismatch, entry, `The "${column}" column lists ${files} file${files === 1 ? '' : 's'} but the text has ${tokens} ${token} token${tokens === 1 ? '' : 's'}.`)
			);
		}
		return findings ?? [];
	}
};

export const MEDIA_RULES: readonly EntryRule[] = [mediaCountMismatch];
