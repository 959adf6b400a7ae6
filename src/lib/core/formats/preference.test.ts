/**
 * Preference data on import (issue 16): one fixture per documented shape → exact entries.
 */
import { describe, expect, it } from 'vitest';
import type { Entry, Message } from '../model';
import { hashMessages } from '../hash';
import { importFixture, importInChunks, noteTexts } from '../test-utils';
import { describePreferenceCounts, splitSharedText } from './preference';

const user = (content: string): Message => ({ role: 'user', content });
const assistant = (content: string): Message => ({ role: 'assistant', content });
const system = (content: string): Message => ({ role: 'system', content });

/** What the importer made of a record (ids, file and hash checked separately). */
function shapeOf(entry: Entry) {
	return { format: entry.meta.source?.format, messages: entry.messages, extra: entry.extra, preference: entry.preference };
}

function pair(prompt: Message[], chosen: Message[], rejected: Message[], format: string, extra = {}) {
	return { format, messages: prompt, extra, preference: { kind: 'pair', chosen, rejected, origin: 'import' } };
}

function label(messages: Message[], wanted: boolean, format: string, extra = {}) {
	return { format, messages, extra, preference: { kind: 'label', label: wanted, origin: 'import' } };
}

describe('LLaMA-Factory ranking data', () => {
	it('reads the ShareGPT form (dpo_en_demo.json) as pairs, the system column first', () => {
		const { entries, report } = importFixture('preference/lf-sharegpt-ranking.json');
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([
			pair(
				[user('The keeper asks: should I trim the wick before the storm or after it?')],
				[assistant('Before. A trimmed wick burns clean through the night, and you will not want to climb the stair in a gale.')],
				[assistant('It does not matter.')],
				'llamafactory-ranking'
			),
			pair(
				[system('You are Mara, the keeper of the North Point lighthouse.'), user('How far does the lamp reach?'), assistant('Eighteen nautical miles on a clear night.'), user('And in fog?')],
				[assistant('Much less. That is why the horn sounds every thirty seconds when the fog rolls in.')],
				[assistant('Eighteen nautical miles.')],
				'llamafactory-ranking'
			)
		]);
		expect(report.formats).toEqual({ 'llamafactory-ranking': 2 });
		expect(report.preference).toEqual({ pairs: 2, labels: 0, unwanted: 0 });
		// The prompt is hashed as the entry's messages, like every entry.
		expect(entries[0].hash).toBe(hashMessages(entries[0].messages));
	});

	it('reads the OpenAI-tagged form (messages + chosen / rejected messages), keeping other keys', () => {
		const { entries, report } = importFixture('preference/lf-openai-ranking.jsonl');
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([
			pair(
				[system('You are Mara, the keeper of the North Point lighthouse.'), user('Is the lamp lit tonight?')],
				[assistant('It is. I trimmed the wick at dusk, as always.')],
				[assistant('As an AI language model, I cannot see lamps.')],
				'llamafactory-ranking'
			),
			pair([user('What do you eat in winter?')], [assistant('Salt cod, potatoes and whatever the supply boat brings.')], [assistant('Food.')], 'llamafactory-ranking', { id: 'lf-2' })
		]);
	});

	it('reads typed {type, value} parts in the prompt of the OpenAI-tagged form', () => {
		const { entries, report } = importInChunks(
			'{"messages": [{"role": "user", "content": [{"type": "text", "value": "Lit?"}]}], "chosen": {"role": "assistant", "content": "Yes."}, "rejected": {"role": "assistant", "content": "No."}}'
		);
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([pair([user('Lit?')], [assistant('Yes.')], [assistant('No.')], 'llamafactory-ranking')]);
	});

	it('reads the v1 form (chosen_messages / rejected_messages with typed parts): the shared turns are the prompt', () => {
		const { entries, report } = importFixture('preference/lf-v1-pairs.jsonl');
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([
			pair([user('Name the rock the light warns of.')], [assistant("The Widow's Teeth, two cables east of the point.")], [assistant('There is no rock.')], 'llamafactory-ranking')
		]);
	});

	it('reads the Alpaca form (instruction, input, chosen, rejected)', () => {
		const { entries, report } = importFixture('preference/lf-alpaca-ranking.json');
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([
			pair([user('Describe the lighthouse in one sentence.')], [assistant('A white tower on black rock, its lamp turning every ten seconds.')], [assistant('It is a building.')], 'llamafactory-ranking'),
			pair([user('Translate to French.\nThe lamp is lit.')], [assistant('La lampe est allumée.')], [assistant('The lamp est lit.')], 'llamafactory-ranking')
		]);
	});

	it('reads KTO data (kto_en_demo.json: messages + label; ShareGPT too) as labelled answers', () => {
		const { entries, report } = importFixture('preference/lf-kto.json');
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([
			label([user('When does the supply boat come?'), assistant('Every second Tuesday, weather allowing.')], true, 'llamafactory-kto'),
			label([user('When does the supply boat come?'), assistant('I am only a language model and do not know about boats.')], false, 'llamafactory-kto'),
			label([user('Do you ever get lonely?'), assistant('The gulls keep me company, and the radio on Sundays.')], true, 'llamafactory-kto')
		]);
		expect(report.preference).toEqual({ pairs: 0, labels: 3, unwanted: 1 });
		expect(describePreferenceCounts(report.preference!)).toBe('3 labelled answers (1 unwanted)');
	});
});

describe('TRL preference data', () => {
	it('reads the standard form, with an explicit or implicit prompt', () => {
		const { entries, report } = importFixture('preference/trl-standard.jsonl');
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([
			pair([user('The sky is')], [assistant(' blue.')], [assistant(' green.')], 'trl-preference'),
			// extract_prompt: the shared beginning, without the space before the point they differ.
			pair([user('The sky is')], [assistant(' blue.')], [assistant(' green.')], 'trl-preference'),
			pair([user('The lamp at North Point is')], [assistant(' lit every night.')], [assistant(' never lit.')], 'trl-preference', { source: 'keeper-notes' })
		]);
		expect(noteTexts(report)).toEqual(
			expect.arrayContaining([
				'TRL standard preference: the prompt read as a user turn, the answers as assistant turns',
				'TRL standard preference with an implicit prompt: the shared beginning read as the user turn'
			])
		);
	});

	it('reads the conversational form, with an explicit or implicit prompt', () => {
		const { entries, report } = importFixture('preference/trl-conversational.jsonl');
		expect(report.errors).toEqual([]);
		expect(entries.map(shapeOf)).toEqual([
			pair([user('What color is the sky?')], [assistant('It is blue.')], [assistant('It is green.')], 'trl-preference'),
			pair([user('What color is the sky?')], [assistant('It is blue.')], [assistant('It is green.')], 'trl-preference'),
			pair([system('You are Mara.'), user('Is the lamp lit?')], [assistant('It is.')], [assistant('It is.')], 'trl-preference')
		]);
		expect(report.preference).toEqual({ pairs: 3, labels: 0, unwanted: 0 });
		expect(describePreferenceCounts(report.preference!)).toBe('3 preference pairs');
	});

	it('reads unpaired preference (KTO), standard and conversational', () => {
		const standard = importFixture('preference/trl-kto-standard.jsonl');
		expect(standard.report.errors).toEqual([]);
		expect(standard.entries.map(shapeOf)).toEqual([
			label([user('The sky is'), assistant(' blue.')], true, 'trl-kto'),
			label([user('The sky is'), assistant(' green.')], false, 'trl-kto')
		]);
		const conversational = importFixture('preference/trl-kto-conversational.jsonl');
		expect(conversational.report.errors).toEqual([]);
		expect(conversational.entries.map(shapeOf)).toEqual([
			label([user('What color is the sky?'), assistant('It is blue.')], true, 'trl-kto'),
			label([user('What color is the sky?'), assistant('It is green.')], false, 'trl-kto'),
			label([user('Is the lamp lit?'), assistant('I cannot see lamps.')], false, 'trl-kto')
		]);
		expect(conversational.report.preference).toEqual({ pairs: 0, labels: 3, unwanted: 2 });
		expect(describePreferenceCounts({ pairs: 1, labels: 3, unwanted: 2 })).toBe('1 preference pair, 3 labelled answers (2 unwanted)');
	});

	it('says where a malformed record is wrong', () => {
		const { entries, report } = importInChunks(
			[
				'{"prompt": [{"role": "user", "content": "Hi"}], "chosen": [{"content": "no role"}], "rejected": [{"role": "assistant", "content": "x"}]}',
				'{"chosen": "text", "rejected": [{"role": "assistant", "content": "x"}]}',
				'{"prompt": "Hi", "chosen": 42, "rejected": "x"}',
				'{"conversations": [{"from": "human", "value": "Hi"}], "chosen": {"value": "no speaker"}, "rejected": {"from": "gpt", "value": "x"}}'
			].join('\n')
		);
		expect(entries).toEqual([]);
		expect(report.errors.map((e) => [e.line, e.reason])).toEqual([
			[1, 'chosen[0] has no role'],
			[2, 'chosen and rejected must both be text or both lists of messages'],
			[3, 'chosen must be text or a list of messages'],
			[4, 'chosen has no speaker ("from" or "role")']
		]);
	});

	it('leaves a prompt / completion record with a non-boolean label a prompt / completion chat', () => {
		const { entries, report } = importInChunks('{"prompt": "Hi", "completion": "Hello", "label": "greeting"}');
		expect(report.formats).toEqual({ 'prompt-completion': 1 });
		expect(entries[0].preference).toBeUndefined();
		expect(entries[0].extra).toEqual({ label: 'greeting' });
	});
});

describe('splitSharedText (TRL extract_prompt on text)', () => {
	it('drops the space before the point the answers differ', () => {
		expect(splitSharedText('The sky is blue.', 'The sky is green.')).toEqual({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' });
		expect(splitSharedText('abc', 'xyz')).toEqual({ prompt: '', chosen: 'abc', rejected: 'xyz' });
	});
});
