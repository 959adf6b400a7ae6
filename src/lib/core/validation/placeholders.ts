/**
 * Template placeholders left in text: SillyTavern's `{{char}}` / `{{user}}`, Pygmalion's `<BOT>` /
 * `<USER>`, other mustache holes (`{{name}}`, `{{author}}` as in LLaMA-Factory's identity.json
 * demo), form-letter holes (`[Your name]`, `[insert date]`, `[Company Name]`, `<your name>`),
 * `{name}`-style holes of an unformatted prompt template, and identity.json's older bare
 * `I am NAME … by AUTHOR`. Shared by the placeholder rule and the substitution repair.
 *
 * Precision matters as much as recall: technical answers are full of braces, brackets and angle
 * brackets that are not holes. The rules, in order:
 * - Code and maths are never read: fenced blocks (``` and ~~~), inline `code` spans, `$…$`,
 *   `$$…$$`, `\(…\)` and `\[…\]` are blanked before matching.
 * - `{{char}}`, `{{user}}`, `<BOT>`, `<USER>`, `<CHAR>` count anywhere else (the angle forms not in
 *   a message about markup or that closes them as XML elements, `</user>`).
 * - `{{…}}` and single `{name}` holes do not count in a message that talks about
 *   templates or format strings (Jinja, Handlebars, f-string, placeholder, …), nor when the entry's
 *   prompt does. A single `{name}` also does not count after `^ _ \ $ # % @ /` or a letter
 *   (LaTeX `d^{FB}`, `\frac{a}{b}`, shell `${VAR}`, Ruby `#{x}`, `/users/{id}`), when it is
 *   maths-like (`{x}`, `{x_n}`, `{FB}`), or on a line that reads as code (`=`, `f"…"`,
 *   `.format(`, `print(`, `;` at the end, a JSON-like brace).
 * - Bracket holes need a form word: `[insert …]`, `[enter …]` (but `[Enter FATHER]` and
 *   `[Enter a Messenger]`, stage directions naming who enters, do not count), `[your …]` with a
 *   form noun (name, company, date, answer, here, …), `[name]`, `[Name of …]`, or Title Case
 *   words ending in a form noun (`[Company Name]`, `[Recipient's Name]`). Markdown links
 *   (`[text](url)`, `[text][ref]`) and indexing (`arr[name]`) are not holes.
 * - Angle holes: `<your …>`, `<insert …>`, `<enter …>` and `<name>`-like single fields, not in a
 *   message about markup (one that closes the tag or talks of tags, elements, XML, HTML), not
 *   after a letter or `?` (`List<name>`, `(?<name>…)`), not on a command line (`$ …`, `--flag`).
 * - Holes the user meant are quoted, not left over: a bracket, angle or brace hole that also
 *   appears in another user message of the entry, and every such hole in an entry whose prompt
 *   asks for a template or blanks ("fill in", "template", "placeholder", …).
 */

export interface PlaceholderHit {
	index: number;
	text: string;
	/** Whether the substitute-placeholders repair can fill it (char and user placeholders). */
	substitutable: boolean;
}

/** What the rest of the entry says, for deciding whether a hole was meant. */
export interface PlaceholderScope {
	/** The other user messages of the entry, lower-cased: a hole quoted from them is meant. */
	quotedFrom?: string;
	/** The entry's prompt asks for a template or blanks to fill: its holes are meant. */
	asksForTemplate?: boolean;
	/** The entry's prompt talks about templates or format strings: brace holes are syntax. */
	talksTemplates?: boolean;
}

/** `{{char}}`, `{{ user }}`, `<BOT>`, `<USER>`, `<CHAR>`, any case. Group 1 or 2 names who. */
export const CHARACTER_PLACEHOLDER = /\{\{\s*(char|user)\s*\}\}|<(bot|user|char)>/gi;

/** Other mustache holes: `{{name}}`, `{{ author }}`. */
const MUSTACHE_HOLE = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]{0,30})\s*\}\}/g;

/** `{name}` holes of an unformatted template; `{{…}}` excluded. */
const TEMPLATE_HOLE = /\{([a-zA-Z_][a-zA-Z0-9_]{0,30})\}(?!\})/g;

/** Anything any of the patterns below could match: most texts with a brace or bracket have none. */
const CANDIDATE = /\{\{|\{[a-zA-Z_]|\[[^[\]\n]{1,60}\]|<[^<>\n]{2,40}>|NAME|AUTHOR/;

const BRACKET = /\[([^[\]\n]{1,60})\]/g;
const ANGLE = /<([^<>\n]{2,40})>/g;

/** LLaMA-Factory's older identity.json: "I am NAME, … developed by AUTHOR". Case-sensitive. */
const BARE_IDENTITY = /(?:\bI am|\bI'm|\bname is|\bcalled|\bas|\bby|我是|叫|名为|由|是)\s*(NAME|AUTHOR)(?![A-Za-z])/g;

/** Words that make a bracket or angle phrase a field to fill. */
const FORM_NOUNS = new Set(
	(
		'name names company title address email e-mail phone number date answer position role job signature website url link city state country ' +
		'location organization organisation school university department contact details information info text message here age product service ' +
		'brand business team field industry topic subject experience skills degree achievement achievements goal goals reason price amount time ' +
		'username recipient manager occupation profession hobby hobbies interests major'
	).split(' ')
);

const SINGLE_FIELD_ANGLE = /^(?:name|username|user ?name|full name|first name|last name|author|company|company name|email|e-mail|character name|char name|bot name|user's name|character's name|assistant name|your name)$/i;
const NAMED_FIELD = /^(?:character|char|user|bot|assistant|author|company|recipient|customer|client)(?:'s)?\s*name$/i;

/** A message or prompt that talks about template or format-string syntax. */
const TEMPLATE_TALK =
	/\b(?:jinja|handlebars|mustache|moustache|liquid|twig|templat|placeholder|interpolat|f-strings?\b|fstring|format strings?\b|str\.format|string formatting|vue|angular|django|helm|ansible|razor|blade|curly braces?\b)|\.format\(/i;

/** A prompt that asks for something to fill in. */
const TEMPLATE_REQUEST = /fill in|fill-in|fill out|fill the|templat|placeholder|blanks?\b|form letter|boilerplate|mad ?libs?/i;

/** A message about markup, where `<name>` is an element. */
const MARKUP_TALK = /\b(?:xml|html|svg|jsx|tag|tags|element|elements|markup|attribute)\b/i;

/** A line that reads as code: assignments, calls, format strings, JSON-like braces. */
const CODE_LINE = /=|\bf["']|\.format\(|println!|format!|\bprint\(|printf|console\.|\$"|\breturn\b|\bdef\s|\bfunction\b|\blambda\b|;\s*$|[a-zA-Z_]\(|\{\s*["'\d[{]|\{\s*$|:\s*\{|\\[a-zA-Z]+/;

/** A command line: a shell prompt, a flag, a usage line. */
const COMMAND_LINE = /^\s*(?:\$|>|#|usage:)\s|\s--?[a-zA-Z]/i;

/** A maths-like brace: one letter, a letter with a short subscript or digits, or up to three capitals. */
const MATHS_NAME = /^(?:[A-Za-z](?:_[A-Za-z0-9]{1,3}|[0-9]{1,2})?|[A-Z]{1,3})$/;

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

const CODE_AND_MATHS: readonly RegExp[] = [
	/```[\s\S]*?(?:```|$)/g,
	/~~~[\s\S]*?(?:~~~|$)/g,
	/\$\$[\s\S]*?\$\$/g,
	/\\\[[\s\S]*?\\\]/g,
	/\\\([\s\S]*?\\\)/g,
	/`[^`\n]+`/g,
	/\$(?=[^\s$])[^$\n]*[^\s$\\]\$(?!\d)/g
];

/**
 * The text with code and maths blanked out (same length, so indices still point into the
 * original). Returns the text itself when it has nothing to blank.
 */
export function proseOf(text: string): string {
	if (text.indexOf('`') === -1 && text.indexOf('$') === -1 && text.indexOf('\\') === -1 && text.indexOf('~~~') === -1) return text;
	let prose = text;
	for (const pattern of CODE_AND_MATHS) {
		pattern.lastIndex = 0;
		if (!pattern.test(prose)) continue;
		pattern.lastIndex = 0;
		prose = prose.replace(pattern, (block) => ' '.repeat(block.length));
	}
	return prose;
}

function lineAt(text: string, index: number): string {
	const start = text.lastIndexOf('\n', index - 1) + 1;
	let end = text.indexOf('\n', index);
	if (end === -1) end = text.length;
	return text.slice(start, end);
}

function words(phrase: string): string[] {
	return phrase
		.toLowerCase()
		.split(/[\s/,&-]+/)
		.map((word) => word.replace(/'s$|[^a-z-]/g, ''))
		.filter((word) => word !== '');
}

function hasFormNoun(phrase: string): boolean {
	return words(phrase).some((word) => FORM_NOUNS.has(word));
}

const STAGE_VERB = /^(?:re-?enter|enter|exit|exeunt)(?:\s|$)/i;
const STAGE_FILLER = new Set(['a', 'an', 'the', 'and', 'with', 'to', 'of', 'from', 'two', 'three', 'several', 'all', 'both', 'others', 'attendants']);

/** `[Enter FATHER]`, `[Enter a Messenger]`, `[Exit]`: a stage direction, not a form field. */
export function isStageDirection(phrase: string): boolean {
	const trimmed = phrase.trim();
	if (!STAGE_VERB.test(trimmed)) return false;
	// Who enters comes first; what follows a comma describes them ("[Enter a Messenger, breathless]").
	const rest = trimmed.replace(STAGE_VERB, '').split(',')[0].trim();
	if (rest === '') return true;
	if (/\b(?:your|here|name|names|details|email|date|address|number|text|value|password|code)\b/i.test(rest)) return false;
	return rest
		.split(/[\s,]+/)
		.filter((word) => word !== '')
		.every((word) => STAGE_FILLER.has(word.toLowerCase()) || /^[A-Z]/.test(word));
}

/** Whether a bracketed phrase is a field for a person to fill. */
export function isFormField(phrase: string): boolean {
	const trimmed = phrase.trim();
	if (trimmed === '' || /[.!?;]$/.test(trimmed)) return false;
	const count = trimmed.split(/\s+/).length;
	if (count > 8) return false;
	if (/^(?:insert|type|put)\b/i.test(trimmed)) return true;
	if (/^(?:enter|add)\b/i.test(trimmed)) return !isStageDirection(trimmed);
	if (/^name$/i.test(trimmed) || /^name of\b/i.test(trimmed) || /^the name of\b/i.test(trimmed) || /^placeholder\b/i.test(trimmed)) return true;
	if (NAMED_FIELD.test(trimmed)) return true;
	if (/^your\b/i.test(trimmed)) return count <= 6 && hasFormNoun(trimmed);
	// Title Case (or capitals) throughout, ending in a form noun: [Company Name], [Recipient's Name].
	const parts = trimmed.split(/\s+/);
	const titled = parts.every((word) => /^[A-Z0-9]/.test(word) || ['of', 'the', 'and', 'or', '&', 'for'].includes(word));
	if (titled && count <= 5) {
		const last = words(parts[parts.length - 1])[0];
		return last !== undefined && FORM_NOUNS.has(last) && last !== 'here' && last !== 'time';
	}
	return false;
}

function isAngleField(phrase: string): boolean {
	const trimmed = phrase.trim();
	if (/^(?:your|insert|enter)[\s_-]+\S/i.test(trimmed)) return true;
	return SINGLE_FIELD_ANGLE.test(trimmed);
}

function collect(pattern: RegExp, text: string, substitutable: boolean, hits: PlaceholderHit[], keep?: (match: RegExpExecArray) => boolean): void {
	pattern.lastIndex = 0;
	for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
		if (match[0] === '') {
			pattern.lastIndex++;
			continue;
		}
		if (keep !== undefined && !keep(match)) continue;
		hits.push({ index: match.index, text: match[0], substitutable });
		if (hits.length > 50) return;
	}
}

/**
 * Placeholders in `text`, in order of appearance. Cheap when the text has no `{`, `[`, `<` or
 * capitalised NAME/AUTHOR. `scope` says what the rest of the entry asked (see the module comment).
 */
export function findPlaceholders(text: string, extraPatterns: readonly string[] = [], scope: PlaceholderScope = {}): PlaceholderHit[] {
	const hits: PlaceholderHit[] = [];
	const brace = text.indexOf('{') !== -1;
	const angle = text.indexOf('<') !== -1;
	const bracket = text.indexOf('[') !== -1;
	const bare = text.indexOf('NAME') !== -1 || text.indexOf('AUTHOR') !== -1;
	if ((brace || angle || bracket || bare) && CANDIDATE.test(text)) {
		const prose = proseOf(text);
		const quoted = (hole: string) => scope.quotedFrom !== undefined && scope.quotedFrom.indexOf(hole.toLowerCase()) !== -1;
		const meant = (hole: string) => scope.asksForTemplate === true || quoted(hole);
		let templateTalk: boolean | undefined;
		const talksTemplates = () => (templateTalk ??= scope.talksTemplates === true || TEMPLATE_TALK.test(prose));
		let markupTalk: boolean | undefined;
		const talksMarkup = () => (markupTalk ??= MARKUP_TALK.test(prose));

		if (brace || angle) {
			collect(CHARACTER_PLACEHOLDER, prose, true, hits, (match) => {
				if (match[2] === undefined) return !talksTemplates();
				return prose.toLowerCase().indexOf(`</${match[2].toLowerCase()}>`) === -1 && !talksMarkup();
			});
		}
		if (brace && prose.indexOf('{{') !== -1) {
			collect(MUSTACHE_HOLE, prose, false, hits, (match) => {
				const name = match[1].toLowerCase();
				if (name === 'char' || name === 'user') return false; // the character placeholder above
				return !talksTemplates() && !quoted(match[0]);
			});
		}
		if (brace) {
			collect(TEMPLATE_HOLE, prose, false, hits, (match) => {
				const before = match.index > 0 ? prose.charAt(match.index - 1) : '';
				if (before === '{' || /[\w$^\\#%@/]/.test(before)) return false;
				const after = prose.charAt(match.index + match[0].length);
				if (after === '/' || after === '(') return false;
				if (MATHS_NAME.test(match[1])) return false;
				if (CODE_LINE.test(lineAt(prose, match.index))) return false;
				return !talksTemplates() && !meant(match[0]);
			});
		}
		if (bracket) {
			collect(BRACKET, prose, false, hits, (match) => {
				const before = match.index > 0 ? prose.charAt(match.index - 1) : '';
				if (/[\w\])!^]/.test(before)) return false;
				const after = prose.charAt(match.index + match[0].length);
				if (after === '(' || after === '[' || after === ':') return false;
				return isFormField(match[1]) && !meant(match[0]);
			});
		}
		if (angle) {
			collect(ANGLE, prose, false, hits, (match) => {
				if (/^(?:bot|user|char)$/i.test(match[1])) return false; // the character placeholder above
				if (!isAngleField(match[1])) return false;
				const before = match.index > 0 ? prose.charAt(match.index - 1) : '';
				if (/[\w?\\<]/.test(before)) return false;
				if (prose.indexOf(`</${match[1]}>`) !== -1 || talksMarkup()) return false;
				if (COMMAND_LINE.test(lineAt(prose, match.index))) return false;
				return !meant(match[0]);
			});
		}
		if (bare) {
			BARE_IDENTITY.lastIndex = 0;
			for (let match = BARE_IDENTITY.exec(prose); match !== null && hits.length <= 50; match = BARE_IDENTITY.exec(prose)) {
				if (CODE_LINE.test(lineAt(prose, match.index))) continue;
				// Report the placeholder itself, not the words before it.
				hits.push({ index: match.index + match[0].length - match[1].length, text: match[1], substitutable: false });
			}
		}
	}
	for (const source of extraPatterns) {
		const pattern = compileCustom(source);
		if (pattern !== null) collect(pattern, text, false, hits);
	}
	return hits.sort((a, b) => a.index - b.index);
}

/** What the entry's user messages say, for `findPlaceholders`: `userTexts` in message order. */
export function placeholderScope(userTexts: readonly { index: number; text: string }[], forMessage: number): PlaceholderScope {
	let quotedFrom = '';
	for (const { index, text } of userTexts) if (index !== forMessage) quotedFrom += text.toLowerCase() + '\n';
	return { quotedFrom, ...promptIntent(userTexts) };
}

/** Whether the prompt asks for a template or talks about template syntax (memoised on the list: one entry's messages share it). */
const intents = new WeakMap<readonly unknown[], { asksForTemplate: boolean; talksTemplates: boolean }>();

function promptIntent(userTexts: readonly { text: string }[]): { asksForTemplate: boolean; talksTemplates: boolean } {
	let intent = intents.get(userTexts);
	if (intent === undefined) {
		const all = userTexts.map((user) => user.text).join('\n');
		intent = { asksForTemplate: TEMPLATE_REQUEST.test(all), talksTemplates: TEMPLATE_TALK.test(proseOf(all)) };
		intents.set(userTexts, intent);
	}
	return intent;
}
