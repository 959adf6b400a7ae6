/**
 * An export file with no lines is never downloaded silently: this says why it is empty, in words
 * a person can act on (the skip reasons by count, most frequent first, with one example each).
 */
import type { ExportFileReport } from './export-run';
import type { SkipCode } from './skip-reason';

const WHAT_SKIPS: Partial<Record<SkipCode, string>> = {
	'tool-turns': 'tool calls or tool results the format cannot express',
	'tool-call-with-text': 'text and tool calls in one message',
	'structured-content': 'structured content parts',
	'custom-role': 'custom speaker roles',
	'not-alternating': 'turns of one role in a row',
	'ends-on-user': 'conversations ending on a user turn',
	'has-system': 'a system prompt',
	'multi-turn': 'more than one exchange',
	'no-messages': 'no messages',
	'not-a-pair': 'labelled answers (KTO), not pairs',
	'no-preference': 'entries that are not preference data',
	'unwanted-answer': 'answers labelled unwanted (KTO false)'
};

/** Null when the file has lines; otherwise the reason it is empty. */
export function emptyFileReason(file: ExportFileReport): string | null {
	if (file.lines > 0) return null;
	if (file.planned === 0) return `${file.fileName} would be empty: no entry is in it (check the scope, review states and split).`;
	const codes = (Object.entries(file.skippedByCode) as [SkipCode, number][]).sort((a, b) => b[1] - a[1]);
	const reasons = codes.map(([code, count]) => {
		const example = file.skipped.find((s) => s.reason.code === code);
		return `${count} × ${WHAT_SKIPS[code] ?? code}${example ? ` (e.g. ${example.reason.message})` : ''}`;
	});
	return `${file.fileName} would be empty, so it is not downloaded: all ${file.planned} entries were skipped — ${reasons.join('; ')}.`;
}
