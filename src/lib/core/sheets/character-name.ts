/**
 * The character's name and introduction as prompts use them, and the card macros filled with the
 * names the user chose.
 *
 * A sheet's H1 is often a title, not a name ("Brannoc Vell — The Ferryman of Greymouth"); the
 * prompts need the name, because a small model copies "Brannoc Vell — The Ferryman of Greymouth"
 * into every answer. The introduction is the short description every chunk's prompt carries, so
 * a chunk about the character's boots still says who the character is.
 */

/** "Brannoc Vell — The Ferryman of Greymouth" → "Brannoc Vell"; "Queen Pédauque" stays. */
export function characterNameFromTitle(title: string): string {
	const plain = title.replace(/[*_`]+/g, '').replace(/\s+/g, ' ').trim();
	// "Character sheet: Old Oar" names the character after the label.
	const unlabelled = plain.replace(/^(?:character sheet|character|sheet|npc)\s*[:—–-]\s*/i, '');
	// A dash with spaces, a colon, a comma or an opening bracket ends the name.
	const name = unlabelled.split(/\s[—–-]+\s|\s*[—–]\s*|:\s|,\s|\s\(|\s\[|\s\|\s/)[0].trim();
	return name || plain;
}

export interface NameChoice {
	/** `{{char}}` / `<BOT>`. */
	char: string;
	/** `{{user}}` / `<USER>`; "User" when blank. */
	user: string;
}

export const DEFAULT_USER_NAME = 'User';

/**
 * SillyTavern's macros, case-insensitive and with inner spaces as it reads them, filled with the
 * names chosen for the run: card text otherwise reaches the model as "{{user}} asks {{char}}…".
 */
export function substituteNames(text: string, names: NameChoice): string {
	const user = names.user.trim() || DEFAULT_USER_NAME;
	const char = names.char.trim();
	return text.replace(/\{\{\s*char\s*\}\}|<BOT>/gi, () => char || '{{char}}').replace(/\{\{\s*user\s*\}\}|<USER>/gi, () => user);
}

/** At most `max` characters, cut at the last sentence end that fits (else a word, with "…"). */
export function leadText(text: string, max = 700): string {
	const flat = text.trim();
	if (flat.length <= max) return flat;
	const window = flat.slice(0, max);
	const sentence = Math.max(window.lastIndexOf('. '), window.lastIndexOf('.\n'), window.lastIndexOf('! '), window.lastIndexOf('? '));
	if (sentence > max / 3) return window.slice(0, sentence + 1).trim();
	const space = window.lastIndexOf(' ');
	return `${window.slice(0, space > 0 ? space : max).trim()}…`;
}

/** The first paragraph that is prose (not a heading, list, table or rule). */
function firstProse(text: string): string {
	for (const paragraph of text.split(/\n\s*\n/)) {
		const lines = paragraph
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line !== '' && !/^(#{1,6}\s|[-*+]\s|\d+[.)]\s|\||>|[-=*_]{3,}$|```|~~~)/.test(line));
		const prose = lines.join(' ').trim();
		if (prose.split(/\s+/).length >= 6) return prose.replace(/[*_`]+/g, '');
	}
	return '';
}

/**
 * A document's introduction: its H1 title line (when it says more than the name) and the first
 * prose paragraph, shortened. Empty when the document has no prose.
 */
export function documentIntroduction(text: string, name: string): string {
	const heading = /^ {0,3}#[ \t]+(.+?)[ \t#]*$/m.exec(text)?.[1].replace(/[*_`]+/g, '').trim() ?? '';
	const prose = leadText(firstProse(text), 600);
	const title = heading !== '' && heading !== name ? `${heading}.` : '';
	return [title, prose].filter(Boolean).join(' ').trim();
}

/**
 * A chunk context written to the character ("You are Queen Pédauque, a legendary sorceress…", the
 * seed's form) as an introduction about the character: a heading line such as "# … System
 * Instructions" goes, "You are NAME, …" becomes "NAME is …", a bare "You are NAME." goes.
 */
export function introductionFromContext(context: string, name: string): string {
	const lines = context.split('\n').filter((line) => !/^\s{0,3}#{1,6}\s/.test(line));
	let text = lines.join('\n').trim();
	// "You are NAME." says nothing about them; "You are NAME, a …" does, about NAME.
	text = text.replace(/^You are ([^,.!\n]+)\s*[.!]\s*/i, '');
	text = text.replace(/^You are ([^,.!\n]+?)\s*,\s*/i, (_, who: string) => `${who.trim() || name.trim()} is `);
	return text.trim();
}
