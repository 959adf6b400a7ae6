/**
 * Template placeholders left in text: SillyTavern's `{{char}}` / `{{user}}`, Pygmalion's `<BOT>` /
 * `<USER>`, form-letter holes like `[Your name]` or `[insert …]`, and `{name}`-style holes from
 * unformatted prompt templates. Shared by the placeholder rule and the substitution repair.
 */

export interface PlaceholderHit {
	index: number;
	text: string;
	/** Whether the substitute-placeholders repair can fill it (char and user placeholders). */
	substitutable: boolean;
}

/** `{{char}}`, `{{ user }}`, `<BOT>`, `<USER>`, `<CHAR>`, any case. Group 1 or 2 names who. */
export const CHARACTER_PLACEHOLDER = /\{\{\s*(char|user)\s*\}\}|<(bot|user|char)>/gi;

/** Holes a person was meant to fill. Brackets need a cue word so "[1]" or "[sic]" do not count. */
const FORM_HOLE = /\[(?:your|insert|enter|add|name of|the name|character(?:'s)? name|user(?:'s)? name|placeholder)\b[^\]\n]{0,40}\]|\[name\]/gi;

/** `{name}` / `{user_name}` holes of an unformatted template; `{{…}}` and JSON-ish braces excluded. */
const TEMPLATE_HOLE = /(?<![{\w$])\{[a-zA-Z_][a-zA-Z0-9_]{0,30}\}(?!\})/g;

const CODE_FENCE = /```[\s\S]*?(?:```|$)/g;

const customPatterns = new Map<string, RegExp | null>();

function compileCustom(source: string): RegExp | null {
	let pattern = customPatterns.get(source);
	if (pattern === undefined) {
		try {
			pattern = new RegExp(source, 'gi');
		} catch {
			pattern = null; // an invalid pattern in a user profile matches nothing rather than failing validation
		}
		if (customPatterns.size > 64) customPatterns.clear();
		customPatterns.set(source, pattern);
	}
	return pattern;
}

function collect(pattern: RegExp, text: string, substitutable: boolean, hits: PlaceholderHit[]): void {
	pattern.lastIndex = 0;
	for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
		if (match[0] === '') {
			pattern.lastIndex++;
			continue;
		}
		hits.push({ index: match.index, text: match[0], substitutable });
		if (hits.length > 50) return;
	}
}

/** Placeholders in `text`, in order of appearance. Cheap when the text has no `{`, `[` or `<`. */
export function findPlaceholders(text: string, extraPatterns: readonly string[] = []): PlaceholderHit[] {
	const hits: PlaceholderHit[] = [];
	const brace = text.indexOf('{') !== -1;
	if (brace || text.indexOf('<') !== -1) collect(CHARACTER_PLACEHOLDER, text, true, hits);
	if (text.indexOf('[') !== -1) collect(FORM_HOLE, text, false, hits);
	if (brace) {
		// Braces inside code are code, not template holes.
		const prose = text.indexOf('```') === -1 ? text : text.replace(CODE_FENCE, (block) => ' '.repeat(block.length));
		collect(TEMPLATE_HOLE, prose, false, hits);
	}
	for (const source of extraPatterns) {
		const pattern = compileCustom(source);
		if (pattern !== null) collect(pattern, text, false, hits);
	}
	return hits.sort((a, b) => a.index - b.index);
}
