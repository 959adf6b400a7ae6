/**
 * Think-tag checks on assistant messages: structure always (the loose check ISF applies to any
 * model output), and the profile's policy (reference/isf.md §7.7): `require` is ISF's strict
 * training rule, `forbid` rejects any tag, `allow` adds nothing to the structure check.
 */
import { ALARM_THINK, alarmsOf, shapeOf } from '../entry-shape';
import { makeFinding, messagesOf, textOf } from '../inspect';
import { analyseThinkTags, THINK_PROBLEM_TEXT } from '../think-tags';
import type { EntryRule, Finding } from '../types';

/** Calls `visit` with the index and text of each assistant message (any spelling of the role). */
function forEachAssistantText(entry: unknown, visit: (index: number, text: string) => void): void {
	const shape = shapeOf(entry);
	if (shape === null) return;
	for (const i of shape.assistant) visit(i, textOf(shape.messages[i]));
}

export { forEachAssistantText };

export const thinkTagStructure: EntryRule = {
	scope: 'entry',
	id: 'think-tag-structure',
	title: 'Broken think tags',
	description: 'An assistant message has an unclosed, nested, stray or empty <think> block, or several of them.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			if ((alarmsOf(entry, ctx, i) & ALARM_THINK) === 0) return;
			const analysis = analyseThinkTags(text);
			if (analysis.problems.length === 0) return;
			const what = analysis.problems.map((problem) => THINK_PROBLEM_TEXT[problem]).join('; ');
			findings.push(makeFinding(thinkTagStructure, entry, `Message ${i + 1}: ${what}.`, i));
		});
		return findings;
	}
};

export const thinkTagPolicy: EntryRule = {
	scope: 'entry',
	id: 'think-tag-policy',
	title: 'Think-tag policy',
	description:
		'With policy "require", every assistant message starts with one non-empty <think> block followed by a non-empty answer; with "forbid", no assistant message has think tags; "allow" checks nothing here.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry, ctx) {
		const policy = ctx.thinkTagPolicy;
		if (policy === 'allow') return [];
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			const analysis = (alarmsOf(entry, ctx, i) & ALARM_THINK) === 0 ? analyseThinkTags('') : analyseThinkTags(text);
			let reason: string | null = null;
			if (policy === 'forbid') {
				if (analysis.opens + analysis.closes > 0) reason = 'has think tags, which this profile forbids';
			} else if (analysis.opens === 0) reason = 'has no <think> block, which this profile requires';
			else if (!analysis.startsWithThink) reason = 'does not start with <think>';
			else if (analysis.opens !== 1 || analysis.closes !== 1) reason = `needs exactly one <think> and one </think> (has ${analysis.opens} and ${analysis.closes})`;
			else if (analysis.problems.includes('empty-thinking')) reason = 'has an empty <think> block';
			else if (analysis.answer === '') reason = 'has no answer after </think>';
			if (reason !== null) findings.push(makeFinding(thinkTagPolicy, entry, `Message ${i + 1} ${reason}.`, i));
		});
		return findings;
	}
};

export const THINK_RULES: readonly EntryRule[] = [thinkTagStructure, thinkTagPolicy];
