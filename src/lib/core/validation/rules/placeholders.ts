import { isRecord, makeFinding, messagesOf, textOf } from '../inspect';
import { findPlaceholders } from '../placeholders';
import type { EntryRule, Finding } from '../types';

export const placeholder: EntryRule = {
	scope: 'entry',
	id: 'placeholder',
	title: 'Placeholder left in text',
	description:
		'Text still contains a template placeholder: {{char}}, {{user}}, <BOT>, <USER>, [Your name], [insert …], a {name}-style hole, or a pattern from the profile. Character and user placeholders can be filled with the configured names.',
	defaultSeverity: 'warning',
	repair: 'substitute-placeholders',
	repairKind: 'suggested',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			if (!isRecord(messages[i])) continue;
			const text = textOf(messages[i]);
			if (text.length < 3) continue;
			const hits = findPlaceholders(text, ctx.placeholderPatterns);
			if (hits.length === 0) continue;
			const shown = [...new Set(hits.map((hit) => hit.text))].slice(0, 4).join(', ');
			const fixable = hits.some((hit) => hit.substitutable);
			(findings ??= []).push(makeFinding(placeholder, entry, `Message ${i + 1} contains ${shown}.`, i, fixable ? undefined : null));
		}
		return findings ?? [];
	}
};

export const PLACEHOLDER_RULES: readonly EntryRule[] = [placeholder];
