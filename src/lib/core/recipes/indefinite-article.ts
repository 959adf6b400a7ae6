/**
 * "a" or "an" before a name, by how it is said, not how it is spelled: "an OpenAI model", "a GPT
 * model", "an LLM", "an xAI model", "a Unicorn", "an 8B model". Names of assistants and makers are
 * mostly brand words and acronyms, so acronyms are read letter by letter and the first letter's
 * name decides ("an LLM": "el"; "a GPT": "gee"). The rules cover the usual cases; a name they get
 * wrong can be written into a template without a placeholder article.
 */

/** Letters whose spoken name starts with a vowel sound: A, E, F ("ef"), H ("aitch"), I, L, M, N, O, R, S, X. */
const VOWEL_SOUND_LETTERS = new Set('aefhilmnorsx');

/** Words starting with a vowel letter but a consonant sound ("a unicorn", "a European", "a one-off"). */
const CONSONANT_SOUND_START = /^(?:uni|use|usa|usu|uti|ura|ure|uro|ufo|uk|eu|ewe|one\b|once\b)/i;
/** Words starting with a silent h ("an hour", "an honest"). */
const SILENT_H = /^(?:hour|honest|honor|honour|heir)/i;
/** Consonant pairs that begin English words: an all-caps name starting with another pair is spelled ("NVIDIA": "en-vidia"). */
const ONSETS = new Set(['bl', 'br', 'ch', 'cl', 'cr', 'dr', 'dw', 'fl', 'fr', 'gl', 'gr', 'kl', 'kn', 'kr', 'ph', 'pl', 'pr', 'qu', 'sc', 'sh', 'sk', 'sl', 'sm', 'sn', 'sp', 'st', 'sw', 'th', 'tr', 'tw', 'wh', 'wr']);

const VOWELS = /[aeiouy]/i;

/** Numbers said with a vowel sound first: 8, 11, 18, 80–89, 800…, 8000… */
function numberTakesAn(digits: string): boolean {
	if (digits.startsWith('8')) return true;
	// 11 and 18 ("eleven", "eighteen"), also as 11,000 or 18B; not 110 or 1100 ("one hundred…").
	const groups = digits.length % 3 === 0 ? 3 : digits.length % 3;
	const lead = digits.slice(0, groups);
	return lead === '11' || lead === '18';
}

/** Whether an all-caps word is said letter by letter (an initialism) rather than as a word. */
function spelledOut(caps: string): boolean {
	if (caps.length === 1) return true;
	if (!VOWELS.test(caps)) return true; // GPT, LLM, SDK, HP
	if (caps.length <= 3) return true; // IBM, AWS, AI
	const first = caps.slice(0, 2).toLowerCase();
	return !VOWELS.test(first) && !ONSETS.has(first); // NVIDIA, but NASA and BLOOM are words
}

/** "a" or "an" for `word` (the first word of a name is what matters). */
export function indefiniteArticle(word: string): 'a' | 'an' {
	const text = word.trim().replace(/^["'“‘([]+/, '');
	if (!text) return 'a';
	const digits = /^\d[\d,]*/.exec(text)?.[0];
	if (digits) return numberTakesAn(digits.replace(/,/g, '')) ? 'an' : 'a';
	const token = /^[\p{L}\p{N}]+/u.exec(text)?.[0] ?? text;
	const first = token[0];
	const lower = first.toLowerCase();
	// xAI, iPhone, eBay: a lowercase letter before a capital is said as its letter name.
	if (token.length > 1 && first === lower && /\p{Lu}/u.test(token[1])) return VOWEL_SOUND_LETTERS.has(lower) ? 'an' : 'a';
	const caps = /^\p{Lu}+/u.exec(token)?.[0] ?? '';
	// All capitals (GPT-4, LLM, NVIDIA) or two capitals before the rest (LLaMA): an acronym.
	const acronym = (caps.length > 0 && caps.length === token.replace(/\p{N}+$/u, '').length) || caps.length >= 2;
	if (acronym && spelledOut(caps)) return VOWEL_SOUND_LETTERS.has(lower) ? 'an' : 'a';
	if (SILENT_H.test(token)) return 'an';
	if (CONSONANT_SOUND_START.test(token)) return 'a';
	return /^[aeiou]/i.test(token) ? 'an' : 'a';
}

/** `name` with its article: "an OpenAI", "a GPT-4". */
export function withArticle(name: string): string {
	return `${indefiniteArticle(name)} ${name}`;
}

/**
 * A template filled in with each article before a placeholder matched to the value put there:
 * "Are you a {{maker}} model?" with OpenAI reads "Are you an OpenAI model?". The article keeps
 * its capital ("A {{maker}} model, then?" → "An OpenAI model, then?").
 */
export function fixArticlesBefore(template: string, values: Record<string, string>): string {
	return template.replace(/\b([Aa]n?)(\s+)(\{\{\s*([A-Za-z_]\w*)\s*\}\})/g, (whole, article: string, space: string, placeholder: string, key: string) => {
		if (!(key in values)) return whole;
		const chosen = indefiniteArticle(values[key]);
		const cased = article[0] === 'A' ? chosen[0].toUpperCase() + chosen.slice(1) : chosen;
		return `${cased}${space}${placeholder}`;
	});
}
