import { describe, expect, it } from 'vitest';
import { hashMessages } from '../hash';
import { hasNameMacro, substituteNameMacros } from './macros';
import { checkRequiredThinking, stripThinking } from './think-tags';
import {
	applyThinkPolicy,
	applyTransforms,
	CHANGE_NAMES_SUBSTITUTED,
	CHANGE_SYSTEM_OMITTED,
	CHANGE_THINKING_STRIPPED,
	omitSystemPrompt,
	substituteNames
} from './transforms';
import { entryOf, fixtureEntry } from './test-entries';

describe('name macros', () => {
	const names = { char: 'Mira', user: 'Tomas' };

	it('replaces {{char}}, {{user}}, <BOT> and <USER> case-insensitively', () => {
		expect(substituteNameMacros('{{char}} {{CHAR}} {{Char}} <BOT> <bot> {{user}} {{User}} <USER> <user>', names)).toBe(
			'Mira Mira Mira Mira Mira Tomas Tomas Tomas Tomas'
		);
	});

	it('leaves text that merely looks similar alone', () => {
		const text = '{{characteristic}} {{user_name}} {{ char }} {char} {{char} <BOTS> <bot > {{{char}}}';
		expect(substituteNameMacros(text, names)).toBe('{{characteristic}} {{user_name}} {{ char }} {char} {{char} <BOTS> <bot > {Mira}');
	});

	it('inserts names literally, $ patterns included', () => {
		expect(substituteNameMacros('{{char}} and {{user}}', { char: '$& $1', user: "$'" })).toBe("$& $1 and $'");
	});

	it('leaves a macro whose name is not given', () => {
		expect(substituteNameMacros('{{char}} meets {{user}}', { char: 'Mira' })).toBe('Mira meets {{user}}');
		expect(hasNameMacro('hi <USER>')).toBe(true);
		expect(hasNameMacro('hi {{characteristic}}')).toBe(false);
	});

	it('substitutes in every message and in text parts, without touching the input entry', () => {
		const rp = fixtureEntry('rp-tavern');
		const before = JSON.stringify(rp);
		const out = substituteNames(rp, { char: 'Mira', user: 'Tomas' });
		expect(JSON.stringify(rp)).toBe(before);
		expect(out.messages[0].content).toBe('You are Mira, a wary innkeeper in the border town of Hollin. Stay in character. Tomas is a traveller.');
		expect(out.messages[4].content).toContain('*Mira bites the coin');
		expect(out.hash).toBe(hashMessages(out.messages));
		const parts = substituteNames(entryOf([{ role: 'user', content: [{ type: 'text', text: 'hi {{char}}' }, { type: 'image_url', image_url: { url: '{{char}}' } }] }]), { char: 'M' });
		expect(parts.messages[0].content).toEqual([{ type: 'text', text: 'hi M' }, { type: 'image_url', image_url: { url: '{{char}}' } }]);
	});

	it("prefers the entry's characters when asked", () => {
		const rp = fixtureEntry('rp-tavern');
		const out = substituteNames(rp, { char: 'Other', user: 'Someone', fromEntryCharacters: true });
		expect(out.messages[0].content).toContain('You are Mira');
		expect(out.messages[0].content).toContain('Tomas is a traveller');
		const who = fixtureEntry('identity-who');
		expect(substituteNames(who, {})).toBe(who);
		expect(substituteNames(who, { char: 'Mira' })).toBe(who);
	});
});

describe('think tags', () => {
	it('strips blocks and the whitespace they leave', () => {
		expect(stripThinking('<think>plan</think>\n\nAnswer.')).toEqual({ text: 'Answer.' });
		expect(stripThinking('  <think>plan</think>Answer.')).toEqual({ text: 'Answer.' });
		expect(stripThinking('Answer. <think>afterthought</think>  ')).toEqual({ text: 'Answer.' });
		expect(stripThinking('a <think>x</think> b')).toEqual({ text: 'a b' });
		expect(stripThinking('a\n\n<think>x</think>\n\nb')).toEqual({ text: 'a\n\nb' });
		expect(stripThinking('a <think>x</think> <think>y</think> b')).toEqual({ text: 'a b' });
		expect(stripThinking('a<think>x</think>b')).toEqual({ text: 'ab' });
		expect(stripThinking('no tags at all')).toEqual({ text: 'no tags at all' });
	});

	it('reports malformed blocks instead of half-stripping', () => {
		expect(stripThinking('<think>never closed\n\nAnswer')).toMatchObject({ code: 'think-unclosed' });
		expect(stripThinking('prefilled</think> Answer')).toMatchObject({ code: 'think-orphan-close' });
		expect(stripThinking('<think>a<think>b</think></think> c')).toMatchObject({ code: 'think-nested' });
		expect(stripThinking('<think>a</think> b </think>')).toMatchObject({ code: 'think-orphan-close' });
		expect(stripThinking('<think>a</think> b <think>c')).toMatchObject({ code: 'think-unclosed' });
	});

	it("checks ISF's strict rules for require", () => {
		expect(checkRequiredThinking('  <think>plan</think> Answer')).toBeNull();
		expect(checkRequiredThinking('Answer')).toMatchObject({ code: 'think-missing' });
		expect(checkRequiredThinking('Answer <think>x</think>')).toMatchObject({ code: 'think-missing' });
		expect(checkRequiredThinking('<think>a<think>b</think> c')).toMatchObject({ code: 'think-multiple-open' });
		expect(checkRequiredThinking('<think>a')).toMatchObject({ code: 'think-unclosed' });
		expect(checkRequiredThinking('<think>a</think> b</think> c')).toMatchObject({ code: 'think-multiple-close' });
		expect(checkRequiredThinking('<think>  </think> c')).toMatchObject({ code: 'think-empty-thinking' });
		expect(checkRequiredThinking('<think>a</think>\n')).toMatchObject({ code: 'think-empty-response' });
	});

	it('strip policy rewrites assistant turns only and excludes unclosed ones with the message named', () => {
		const user = entryOf([
			{ role: 'user', content: 'What does <think>x</think> do?' },
			{ role: 'assistant', content: '<think>explain</think>It marks reasoning.' }
		]);
		const out = applyThinkPolicy(user, 'strip');
		expect(out).toMatchObject({ kind: 'kept', changes: [CHANGE_THINKING_STRIPPED] });
		expect(out.kind === 'kept' && out.entry.messages.map((m) => m.content)).toEqual(['What does <think>x</think> do?', 'It marks reasoning.']);
		expect(applyThinkPolicy(fixtureEntry('think-unclosed'), 'strip')).toEqual({
			kind: 'excluded',
			reason: { code: 'think-unclosed', message: 'message 2 (assistant): <think> is never closed' }
		});
		expect(applyThinkPolicy(entryOf([{ role: 'assistant', content: '<think>only thinking</think>' }]), 'strip')).toMatchObject({
			kind: 'excluded',
			reason: { code: 'think-empty-response' }
		});
	});

	it('require excludes entries whose assistant turns lack thinking; tool-call turns are exempt', () => {
		expect(applyThinkPolicy(fixtureEntry('rp-tavern'), 'require').kind).toBe('kept');
		expect(applyThinkPolicy(fixtureEntry('plain-capital'), 'require')).toMatchObject({ kind: 'excluded', reason: { code: 'think-missing' } });
		expect(applyThinkPolicy(fixtureEntry('tool-weather'), 'require')).toMatchObject({
			kind: 'excluded',
			reason: { message: expect.stringContaining('message 5 (assistant)') }
		});
		expect(applyThinkPolicy(entryOf([{ role: 'user', content: 'hi' }]), 'require')).toMatchObject({ kind: 'excluded', reason: { code: 'think-missing' } });
		const toolThenThink = entryOf([
			{ role: 'user', content: 'q' },
			{ role: 'assistant', content: null, tool_calls: [{ id: 'a' }] },
			{ role: 'tool', content: 'r', tool_call_id: 'a' },
			{ role: 'assistant', content: '<think>ok</think> done' }
		]);
		expect(applyThinkPolicy(toolThenThink, 'require').kind).toBe('kept');
	});

	it('keep changes nothing', () => {
		const entry = fixtureEntry('think-unclosed');
		expect(applyThinkPolicy(entry, 'keep')).toEqual({ kind: 'kept', entry, changes: [] });
	});
});

describe('system prompt and the fixed order', () => {
	it('omits only the leading system messages', () => {
		const entry = entryOf([
			{ role: 'system', content: 'a' },
			{ role: 'system', content: 'b' },
			{ role: 'user', content: 'c' },
			{ role: 'system', content: 'scene change' }
		]);
		expect(omitSystemPrompt(entry).messages.map((m) => m.content)).toEqual(['c', 'scene change']);
		const none = entryOf([{ role: 'user', content: 'x' }]);
		expect(omitSystemPrompt(none)).toBe(none);
	});

	it('runs system prompt → names → think, and reports the changes', () => {
		const out = applyTransforms(fixtureEntry('rp-tavern'), { systemPrompt: 'omit', names: { char: 'Mira', user: 'Tomas' }, think: 'strip' });
		expect(out.kind).toBe('kept');
		if (out.kind !== 'kept') return;
		expect(out.changes).toEqual([CHANGE_SYSTEM_OMITTED, CHANGE_NAMES_SUBSTITUTED, CHANGE_THINKING_STRIPPED]);
		expect(out.entry.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
		expect(out.entry.messages[1].content).toBe("*Mira sets down the mug she was drying.* One room, at the back. Two silver, paid up front, Tomas—if that's your name.");
		expect(out.entry.messages[3].content).toBe("*Mira bites the coin, then nods.* Stairs on the left. Breakfast is at dawn, and it doesn't wait.");
	});

	it('names are substituted before the think policy judges the text', () => {
		const entry = entryOf([
			{ role: 'user', content: 'q' },
			{ role: 'assistant', content: '{{char}} answers' }
		]);
		expect(applyTransforms(entry, { think: 'require' })).toMatchObject({ kind: 'excluded', reason: { code: 'think-missing' } });
		const out = applyTransforms(entry, { names: { char: '<think>x</think>' }, think: 'require' });
		expect(out).toMatchObject({ kind: 'kept', changes: [CHANGE_NAMES_SUBSTITUTED] });
	});

	it('with no options returns the entry untouched', () => {
		const entry = fixtureEntry('rp-tavern');
		expect(applyTransforms(entry)).toEqual({ kind: 'kept', entry, changes: [] });
	});
});

describe('think policy beside tool calls (issue 17)', () => {
	const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
	const entry = entryOf([
		{ role: 'user', content: 'q' },
		{ role: 'assistant', content: '<think>I should call f.</think>', tool_calls: [call] },
		{ role: 'tool', content: '1', tool_call_id: 'call_1' },
		{ role: 'assistant', content: '<think>Done.</think>It is 1.' }
	]);

	it('strip leaves a turn that only calls tools with null content, not excluded', () => {
		const outcome = applyThinkPolicy(entry, 'strip');
		expect(outcome.kind === 'kept' && outcome.entry.messages.map((m) => m.content)).toEqual(['q', null, '1', 'It is 1.']);
	});

	it('require accepts reasoning alone before tool calls', () => {
		expect(applyThinkPolicy(entry, 'require').kind).toBe('kept');
	});
});
