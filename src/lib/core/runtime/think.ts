/**
 * Think-tag handling: reasoning models put their reasoning in `<think>…</think>` before the
 * answer. The answer is what the task uses; the thinking is kept for provenance (the export
 * policy decides later whether it stays in the data).
 */

export interface ThinkSplit {
	/** The content of the think block(s), joined by blank lines; '' when none. */
	thinking: string;
	/** The content with the think blocks removed, trimmed. */
	answer: string;
	/** A `<think>` was opened and never closed (the model ran out of tokens while thinking). */
	unclosed: boolean;
}

const THINK = /<think>([\s\S]*?)<\/think>/gi;

export function splitThink(content: string): ThinkSplit {
	const thoughts: string[] = [];
	let rest = content.replace(THINK, (_, inner: string) => {
		thoughts.push(inner.trim());
		return '';
	});
	let unclosed = false;
	const open = rest.search(/<think>/i);
	if (open >= 0) {
		unclosed = true;
		thoughts.push(rest.slice(open + '<think>'.length).trim());
		rest = rest.slice(0, open);
	}
	// Some templates emit only the closing tag (the opening one was in the prompt).
	const strayClose = rest.search(/<\/think>/i);
	if (strayClose >= 0 && thoughts.length === 0) {
		thoughts.push(rest.slice(0, strayClose).trim());
		rest = rest.slice(strayClose + '</think>'.length);
	}
	return { thinking: thoughts.filter(Boolean).join('\n\n'), answer: rest.trim(), unclosed };
}
