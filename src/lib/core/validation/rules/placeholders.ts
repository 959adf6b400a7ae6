import { canonicalRole, isRecord, makeFinding, messagesOf, roleOf, textOf } from '../inspect';
import { findPlaceholders, placeholderScope, type PlaceholderScope } from '../placeholders';
import type { EntryRule, Finding } from '../types';

/** Characters a placeholder needs (or NAME/AUTHOR): messages without any are skipped cheaply. */
function mayHold(text: string): boolean {
	return text.indexOf('{') !== -1 || text.indexOf('[') !== -1 || text.indexOf('<') !== -1 || text.indexOf('NAME') !== -1 || text.indexOf('AUTHOR') !== -1;
}

export const placeholder: EntryRule = {
	scope: 'entry',
	id: 'placeholder',
	title: 'Placeholder left in text',
	description:
		'Text still contains a template placeholder: {{char}}, {{user}}, {{name}}, <BOT>, <USER>, [Your name], [insert …], <your name>, a {name}-style hole, or a pattern from the profile. Code, maths (LaTeX), stage directions ([Enter FATHER]) and holes the user asked for or quoted ("fill in [your answer here]") are not findings. Character and user placeholders can be filled with the configured names.',
	defaultSeverity: 'warning',
	repair: 'substitute-placeholders',
	repairKind: 'suggested',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		let users: { index: number; text: string }[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			if (!isRecord(messages[i])) continue;
			const text = textOf(messages[i]);
			if (text.length < 3) continue;
			let scope: PlaceholderScope = {};
			if (mayHold(text)) {
				// What the user asked decides whether a hole was meant: read it once per entry.
				users ??= messages.flatMap((message, index) => {
					const role = roleOf(message);
					return role !== undefined && canonicalRole(role) === 'user' ? [{ index, text: textOf(message) }] : [];
				});
				scope = placeholderScope(users, i);
			} else if (ctx.placeholderPatterns.length === 0) continue;
			const hits = findPlaceholders(text, ctx.placeholderPatterns, scope);
			if (hits.length === 0) continue;
			const shown = [...new Set(hits.map((hit) => hit.text))].slice(0, 4).join(', ');
			const fixable = hits.some((hit) => hit.substitutable);
			(findings ??= []).push(makeFinding(placeholder, entry, `Message ${i + 1} contains ${shown}.`, i, fixable ? undefined : null));
		}
		return findings ?? [];
	}
};

export const PLACEHOLDER_RULES: readonly EntryRule[] = [placeholder];
