/**
 * XML-tag extraction from model answers (`<fact>…</fact>`): every top-level element of the tag,
 * its inner text trimmed. Nested elements of the same tag stay inside their parent's text (depth
 * is counted, so `<fact>a <fact>b</fact> c</fact>` is one fact, not a broken "a <fact>b"). An
 * element left open at the end (the model ran out of tokens) is not returned.
 */

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface TagExtraction {
	values: string[];
	/** An element was opened and never closed. */
	unclosed: boolean;
}

export function extractTagsDetailed(text: string, tag: string): TagExtraction {
	const name = escapeRegExp(tag);
	// Opening tags may carry attributes; self-closing tags are empty and skipped.
	const marker = new RegExp(`<(/?)${name}(?:\\s[^<>]*?)?(/?)>`, 'gi');
	const values: string[] = [];
	let depth = 0;
	let start = 0;
	for (let match = marker.exec(text); match; match = marker.exec(text)) {
		const closing = match[1] === '/';
		const selfClosing = match[2] === '/';
		if (selfClosing) continue;
		if (!closing) {
			if (depth === 0) start = match.index + match[0].length;
			depth++;
		} else if (depth > 0) {
			depth--;
			if (depth === 0) {
				const value = text.slice(start, match.index).trim();
				if (value) values.push(value);
			}
		}
	}
	return { values, unclosed: depth > 0 };
}

/** The trimmed, non-empty inner texts of the top-level `<tag>` elements, in order. */
export function extractTags(text: string, tag: string): string[] {
	return extractTagsDetailed(text, tag).values;
}
