/**
 * Sizing a document's sections for a small model (seed 003's advice: 500–1,500 tokens a chunk,
 * one topic each, "enough content for diversity"). The heading splitter gives one section per
 * heading, which on a real sheet with many `###` sub-sections means dozens of 60-token chunks:
 * too little for five different questions, and each chunk pays the whole prompt's overhead.
 * Here consecutive small sections are merged until a chunk reaches the minimum (a chunk closes at
 * the first section that would take it past the maximum), and a section over the maximum is cut
 * at paragraph boundaries, then lines, then sentences, then hard.
 *
 * Tokens are counted with the counter given (the data worker passes the Qwen2.5/Qwen3 tokenizer,
 * the vocabulary of the small models this is for); without one, `estimateTokens` is used and the
 * result says so.
 */
import type { DocumentSection } from './split-document';

export interface TokenRange {
	min: number;
	max: number;
}

export const DEFAULT_CHUNK_TOKENS: TokenRange = { min: 500, max: 1500 };
/** Below this a chunk cannot hold enough facts for 5 distinct questions; above it no small context fits. */
export const CHUNK_TOKENS_LIMITS = { min: 50, max: 8000 } as const;

export type CountTokens = (text: string) => number;

/** About one token per four characters of English prose, used where no tokenizer can be loaded. */
export const ESTIMATED_CHARACTERS_PER_TOKEN = 4;

/** An estimate, labelled as one wherever shown. */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / ESTIMATED_CHARACTERS_PER_TOKEN);
}

/** The range, or why it is not one (bounds included, min ≤ max). */
export function checkTokenRange(range: TokenRange): string | null {
	const { min, max } = range;
	const bad = (v: number) => !Number.isInteger(v) || v < CHUNK_TOKENS_LIMITS.min || v > CHUNK_TOKENS_LIMITS.max;
	if (bad(min) || bad(max)) return `token range: whole numbers from ${CHUNK_TOKENS_LIMITS.min} to ${CHUNK_TOKENS_LIMITS.max}`;
	if (min > max) return 'token range: the minimum is above the maximum';
	return null;
}

export interface SizedSection extends DocumentSection {
	tokens: number;
	/** Titles of the heading sections merged into it, in order. */
	merged: string[];
}

/** A section that is only a heading (a "## Appearance" above its "###" parts): it leads what follows. */
export interface SizingSection extends DocumentSection {
	headingOnly?: boolean;
}

const SEPARATOR = '\n\n';

/** Cuts `text` into pieces under `max` tokens at the largest boundary that works. */
function cutText(text: string, max: number, count: CountTokens): string[] {
	if (count(text) <= max) return [text];
	const boundaries: [RegExp, string][] = [
		[/\n\s*\n/, SEPARATOR],
		[/\n/, '\n'],
		[/(?<=[.!?])\s+/, ' '],
		[/\s+/, ' ']
	];
	for (const [boundary, joiner] of boundaries) {
		const units = text.split(boundary).map((unit) => unit.trim()).filter((unit) => unit !== '');
		if (units.length < 2) continue;
		const pieces: string[] = [];
		let current = '';
		for (const unit of units) {
			const candidate = current === '' ? unit : `${current}${joiner}${unit}`;
			if (current !== '' && count(candidate) > max) {
				pieces.push(current);
				current = unit;
			} else current = candidate;
		}
		if (current !== '') pieces.push(current);
		return pieces.flatMap((piece) => cutText(piece, max, count));
	}
	// One unbroken run of characters: cut by length, in proportion to its token count.
	const size = Math.max(1, Math.floor((text.length * max) / count(text)));
	const pieces: string[] = [];
	for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
	return pieces;
}

/** A chunk's title: the titles of the units it holds (a topic's heading, or a section's own). */
function titleOf(units: readonly SizingSection[][]): string {
	const titles = units.map((unit) => unit[0].title);
	const unique = titles.filter((title, i) => titles.indexOf(title) === i);
	if (unique.length <= 3) return unique.join(' · ');
	return `${unique[0]} … ${unique[unique.length - 1]} (${unique.length} sections)`;
}

/** The heading level a section starts with (1–6; 0 for text before the first heading). */
function levelOf(section: SizingSection): number {
	const [first = '', second = ''] = section.text.split('\n', 2);
	const atx = /^ {0,3}(#{1,6})(?:\s|$)/.exec(first);
	if (atx) return atx[1].length;
	if (/^ {0,3}=+\s*$/.test(second)) return 1;
	if (/^ {0,3}-{2,}\s*$/.test(second)) return 2;
	return 0;
}

/**
 * Blocks of the outline: a heading with no text of its own opens a block that holds the sections
 * under it (deeper headings) — "## Appearance" with its "###" parts — so chunks break where the
 * document's topics do. Any other section is a block of its own.
 */
function outlineBlocks(sections: readonly SizingSection[]): SizingSection[][] {
	const blocks: SizingSection[][] = [];
	let leader: number | null = null;
	for (const section of sections) {
		const level = levelOf(section);
		const inside = leader !== null && level > leader && !section.headingOnly;
		if (inside) blocks[blocks.length - 1].push(section);
		else {
			blocks.push([section]);
			leader = section.headingOnly ? level : null;
		}
	}
	return blocks;
}

/** Greedy packing of units (each a list of parts) into groups of units within the range. */
function pack(units: readonly SizingSection[][], range: TokenRange, count: CountTokens): SizingSection[][][] {
	const { min, max } = range;
	const textOf = (list: readonly SizingSection[][]) => list.flat().map((part) => part.text).join(SEPARATOR);
	const headingOnly = (unit: readonly SizingSection[]) => unit.every((part) => part.headingOnly);
	const groups: SizingSection[][][] = [];
	let group: SizingSection[][] = [];
	const close = () => {
		// A heading left at the end of a group belongs to the next one.
		const carried: SizingSection[][] = [];
		while (group.length > 1 && headingOnly(group[group.length - 1])) carried.unshift(group.pop() as SizingSection[]);
		if (group.length) groups.push(group);
		group = carried;
	};
	for (const unit of units) {
		if (group.length === 0 || group.every(headingOnly) || (count(textOf(group)) < min && count(textOf([...group, unit])) <= max)) group.push(unit);
		else {
			close();
			group.push(unit);
		}
	}
	close();
	// A short last group joins the one before it when both fit; headings with no text after them go.
	if (groups.length > 1) {
		const last = groups[groups.length - 1];
		const before = groups[groups.length - 2];
		if (last.every(headingOnly) || (count(textOf(last)) < min && count(textOf([...before, ...last])) <= max)) groups.splice(groups.length - 2, 2, [...before, ...last]);
	}
	return groups.filter((list) => !list.every(headingOnly));
}

/**
 * Sections → chunks within `range` tokens where the text allows. The outline decides first: a
 * "##" topic with its "###" parts stays one unit when it fits, and small units are merged with
 * their neighbours until a chunk reaches the minimum. A topic over the maximum is packed from its
 * parts, and a single section over the maximum is cut. Nothing is lost but whitespace between
 * pieces (and a heading with no text anywhere after it).
 */
export function sizeSections(sections: readonly SizingSection[], range: TokenRange = DEFAULT_CHUNK_TOKENS, count: CountTokens = estimateTokens): SizedSection[] {
	const { max } = range;
	const textOf = (list: readonly SizingSection[]) => list.map((part) => part.text).join(SEPARATOR);
	const units: SizingSection[][] = [];
	for (const block of outlineBlocks(sections)) {
		if (count(textOf(block)) <= max) {
			units.push(block);
			continue;
		}
		// Too big as one: its sections, each cut to the maximum, packed on their own.
		const parts: SizingSection[] = [];
		for (const section of block) {
			const pieces = cutText(section.text, max, count);
			if (pieces.length === 1) parts.push(section);
			else pieces.forEach((text, i) => parts.push({ title: `${section.title} (part ${i + 1} of ${pieces.length})`, text }));
		}
		units.push(...pack(parts.map((part) => [part]), range, count).map((group) => group.flat()));
	}
	return pack(units, range, count).map((group) => {
		const list = group.flat();
		const text = textOf(list);
		return { title: titleOf(group), text, tokens: count(text), merged: list.map((part) => part.title) };
	});
}
