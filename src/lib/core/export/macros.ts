/**
 * SillyTavern's name macros, substituted at export: `{{char}}` and `<BOT>` → the character's name,
 * `{{user}}` and `<USER>` → the user's name. Matched case-insensitively and exactly as SillyTavern
 * does (`/{{char}}/gi`, `/<BOT>/gi`, …): no spaces inside the braces, and a longer name such as
 * `{{characteristic}}` or `{{user_name}}` is left alone. A macro whose name is not given stays as it is.
 */

export interface MacroNames {
	char?: string;
	user?: string;
}

const NAME_MACRO = /\{\{(char|user)\}\}|<(bot|user)>/gi;

/** Whether `text` contains any name macro. */
export function hasNameMacro(text: string): boolean {
	NAME_MACRO.lastIndex = 0;
	const found = NAME_MACRO.test(text);
	NAME_MACRO.lastIndex = 0;
	return found;
}

/** `text` with the macros for the given names replaced. A function replacer, so `$&` or `$1`
 * in a name is inserted literally. */
export function substituteNameMacros(text: string, names: MacroNames): string {
	return text.replace(NAME_MACRO, (macro: string, braced: string | undefined, angled: string | undefined) => {
		const which = (braced ?? angled ?? '').toLowerCase();
		const name = which === 'user' ? names.user : names.char;
		return name ?? macro;
	});
}
