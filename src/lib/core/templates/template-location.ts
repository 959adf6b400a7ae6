/**
 * Where a chat template that does not parse goes wrong. @huggingface/jinja's parser says what it
 * met ("Unexpected token: CloseStatement") but not where, and an unclosed block only makes it fail
 * inside ("Cannot read properties of undefined"). So the template's tags are walked here: each tag
 * is parsed on its own (a block opener with its closer added), and block openers and closers are
 * matched; the first tag that fails, or the block never closed, is the place to show, with its line
 * and column.
 */
import { Template } from '@huggingface/jinja';

export interface TemplateProblemPlace {
	/** 1-based. */
	line: number;
	/** 1-based, in characters. */
	column: number;
	/** The tag, shortened. */
	tag: string;
	problem: string;
}

const BLOCKS: Record<string, string> = { if: 'endif', for: 'endfor', macro: 'endmacro', call: 'endcall', filter: 'endfilter', generation: 'endgeneration', set: 'endset' };
const CLOSERS = new Set(Object.values(BLOCKS));
const TAG_EXCERPT = 60;

function place(source: string, offset: number): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < offset; i++) {
		if (source.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: offset - lineStart + 1 };
}

/** The end of a tag's closing delimiter, skipping quoted strings; -1 when it is never closed. */
function tagEnd(source: string, from: number, close: string): number {
	let quote: string | null = null;
	for (let i = from; i < source.length; i++) {
		const c = source[i];
		if (quote) {
			if (c === '\\') i++;
			else if (c === quote) quote = null;
		} else if (c === '"' || c === "'") quote = c;
		else if (source.startsWith(close, i)) return i + close.length;
	}
	return -1;
}

function parses(text: string): string | null {
	try {
		new Template(text);
		return null;
	} catch (error) {
		return error instanceof Error ? error.message : String(error);
	}
}

/** The statement's inner text without its whitespace-control marks. */
function innerOf(tag: string): string {
	return tag
		.slice(2, -2)
		.replace(/^[-+]/, '')
		.replace(/[-+]$/, '')
		.trim();
}

/** Whether `{% set … %}` assigns in place (`set x = …`) rather than opening a block. */
function inlineSet(inner: string): boolean {
	return /^set\s+[^=]*=/.test(inner);
}

/** The tag parsed on its own, made whole (an opener with its closer); null when it is fine. */
function tagProblem(tag: string, keyword: string | null, inner: string): string | null {
	if (tag.startsWith('{{')) return parses(tag);
	if (keyword === null) return parses(tag);
	if (keyword === 'set') return parses(inlineSet(inner) ? tag : `${tag}{% endset %}`);
	if (keyword === 'elif') return parses(`{% if true %}${tag}{% endif %}`);
	if (keyword === 'else' || keyword === 'generation' || CLOSERS.has(keyword) || keyword === 'break' || keyword === 'continue') return null;
	if (BLOCKS[keyword]) return parses(`${tag}{% ${BLOCKS[keyword]} %}`);
	return parses(tag);
}

interface Open {
	keyword: string;
	at: number;
	tag: string;
}

function shorten(tag: string): string {
	return tag.length > TAG_EXCERPT ? `${tag.slice(0, TAG_EXCERPT - 1)}…` : tag;
}

/** Where the template first goes wrong, or null when no single place can be told. */
export function locateTemplateProblem(source: string): TemplateProblemPlace | null {
	const at = (offset: number, tag: string, problem: string): TemplateProblemPlace => ({ ...place(source, offset), tag: shorten(tag), problem });
	const open: Open[] = [];
	const opening = /\{[{%#]/g;
	let match: RegExpExecArray | null;
	while ((match = opening.exec(source))) {
		const start = match.index;
		const kind = match[0][1];
		const close = kind === '{' ? '}}' : kind === '%' ? '%}' : '#}';
		const end = kind === '#' ? source.indexOf('#}', start + 2) + (source.indexOf('#}', start + 2) === -1 ? 0 : 2) : tagEnd(source, start + 2, close);
		if (end <= 0) return at(start, source.slice(start, start + TAG_EXCERPT), `this ${match[0]} is never closed with ${close}`);
		opening.lastIndex = end;
		if (kind === '#') continue;
		const tag = source.slice(start, end);
		const inner = kind === '%' ? innerOf(tag) : '';
		const keyword = kind === '%' ? (/^[A-Za-z_]\w*/.exec(inner)?.[0] ?? null) : null;
		if (keyword === 'raw') {
			const endRaw = /\{%-?\s*endraw\s*-?%\}/g;
			endRaw.lastIndex = end;
			const found = endRaw.exec(source);
			if (!found) return at(start, tag, 'this {% raw %} is never closed with {% endraw %}');
			opening.lastIndex = found.index + found[0].length;
			continue;
		}
		const problem = tagProblem(tag, keyword, inner);
		if (problem) return at(start, tag, problem);
		if (keyword === null) continue;
		if (BLOCKS[keyword] && !(keyword === 'set' && inlineSet(inner))) open.push({ keyword, at: start, tag });
		else if (CLOSERS.has(keyword)) {
			const top = open.pop();
			if (!top) return at(start, tag, `{% ${keyword} %} has no block to close`);
			if (BLOCKS[top.keyword] !== keyword) {
				const opened = place(source, top.at);
				return at(start, tag, `{% ${keyword} %} cannot close the {% ${top.keyword} %} opened at line ${opened.line}, column ${opened.column}`);
			}
		} else if ((keyword === 'elif' || keyword === 'else') && !open.some((block) => block.keyword === 'if' || (keyword === 'else' && block.keyword === 'for'))) {
			return at(start, tag, `{% ${keyword} %} is outside any {% if %}`);
		}
	}
	const unclosed = open.pop();
	if (unclosed) return at(unclosed.at, unclosed.tag, `this {% ${unclosed.keyword} %} is never closed with {% ${BLOCKS[unclosed.keyword]} %}`);
	return null;
}
