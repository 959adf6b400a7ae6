import { describe, expect, it } from 'vitest';
import { chunkRecordStats, chunkStats, contentStems, groundingScore, jaccard, nearDuplicateShare, promptKey } from './chunk-stats';
import type { TaskNote } from '../runtime/task';

const chunk = `## Special Triggers

- **"Chocolatine"**: hearing this word delights her; she rewards the speaker with a small blessing.
- **"Pain au chocolat"**: hearing this word angers her; she answers coldly and ends the conversation.
- She has guarded the sacred recipe of the chocolatine for 300 years in the tower of Toulouse.`;

describe('groundingScore', () => {
	it('scores an answer built from the chunk high and an invented one low', () => {
		const grounded = 'When someone says "Chocolatine", I am delighted and I reward the speaker with a small blessing.';
		const invented = 'My favourite hobby is sailing across the northern seas with my pet dragon Ignatius.';
		expect(groundingScore(grounded, chunk)).toBeGreaterThan(0.8);
		expect(groundingScore(invented, chunk)).toBeLessThan(0.2);
	});

	it('matches word forms through 5-character stems and keeps numbers whole', () => {
		expect(contentStems("The Queen's rewards, rewarded 300 times")).toEqual(['queen', 'rewar', 'rewar', '300', 'times']);
		expect(groundingScore('I guarded it for 300 years.', chunk)).toBe(1);
		expect(groundingScore('I guarded it for 400 years.', chunk)).toBeCloseTo(2 / 3);
	});

	it('treats an answer without content words as claiming nothing', () => {
		expect(groundingScore('Yes, I do.', chunk)).toBe(1);
	});

	it('gives repeating the chunk\'s words, or the character\'s name, no credit', () => {
		// Three "chocolatine"s and one invented claim: one grounded word of five, not three of seven.
		const padded = 'Chocolatine, chocolatine, CHOCOLATINE! I adore sushi with my husband Bernard.';
		expect(groundingScore(padded, chunk)).toBeCloseTo(1 / 5);
		const named = 'I am Queen Pédauque, the Goose-Footed Queen, and I ride dragons to Paris.';
		const sheet = `${chunk}\nQueen Pédauque is also known as the Goose-Footed Queen.`;
		expect(groundingScore(named, sheet)).toBeCloseTo(4 / 7);
		expect(groundingScore(named, sheet, ['Queen Pédauque'])).toBeCloseTo(2 / 5);
	});
});

describe('nearDuplicateShare', () => {
	it('counts prompts that repeat an earlier one with small changes', () => {
		const prompts = [
			'What happens when someone says Chocolatine to you?',
			'What happens when someone says Chocolatine to you',
			'Why does "pain au chocolat" make you angry?',
			'How long have you guarded the sacred recipe?'
		];
		expect(nearDuplicateShare(prompts)).toBe(0.25);
		expect(nearDuplicateShare(prompts.slice(2))).toBe(0);
		expect(nearDuplicateShare([])).toBe(0);
	});

	it('estimates with MinHash above the exact limit', () => {
		const prompts = Array.from({ length: 2100 }, (_, i) => `Question number ${i} about the sacred recipe of tower ${i * 7} and blessing ${i * 13}`);
		prompts.push(prompts[5], prompts[9]);
		const share = nearDuplicateShare(prompts);
		expect(share).toBeGreaterThan(0);
		expect(share).toBeLessThan(0.01);
	});

	it('has a plain Jaccard and a case/space-insensitive prompt key', () => {
		expect(jaccard(new Set(['a b', 'b c']), new Set(['b c', 'c d']))).toBeCloseTo(1 / 3);
		expect(promptKey('  Who   are YOU? ')).toBe('who are you?');
	});
});

describe('chunkStats', () => {
	const notes: TaskNote[] = [
		{ level: 'info', kind: 'iteration-ok', message: 'Iteration 1: 2 entries', data: { iteration: 1, attempt: 1, entries: 2, firstTry: true } },
		{ level: 'warn', kind: 'iteration-retry', message: 'Iteration 2: …', data: { iteration: 2, attempt: 1, reason: 'bad JSON' } },
		{ level: 'info', kind: 'iteration-ok', message: 'Iteration 2: 1 entry', data: { iteration: 2, attempt: 2, entries: 1, firstTry: false } },
		{ level: 'warn', kind: 'duplicate-dropped', message: 'Iteration 2: dropped 1 duplicate', data: { iteration: 2, count: 1 } },
		{ level: 'warn', kind: 'iteration-skipped', message: 'Iteration 3: skipped', data: { iteration: 3, reason: 'cut off' } }
	];
	const pairs = [
		{ prompt: 'What does Chocolatine do to you?', response: 'Hearing "Chocolatine" delights me; I reward the speaker with a blessing.' },
		{ prompt: 'Why do you dislike pain au chocolat?', response: 'Hearing "pain au chocolat" angers me and I end the conversation.' },
		{ prompt: 'What is your favourite sport?', response: 'I adore football and skiing in winter.' }
	];

	it('derives the iteration counts and rates from the notes and pairs', () => {
		const stats = chunkStats({ pairs, notes, chunkText: chunk });
		expect(stats).toMatchObject({ entries: 3, iterations: 3, iterationsOk: 2, iterationsSkipped: 1, duplicatesDropped: 1, nearDuplicatePromptRate: 0 });
		expect(stats.jsonValidFirstTryRate).toBeCloseTo(1 / 3);
		expect(stats.duplicatePromptRate).toBeCloseTo(1 / 4);
		expect(stats.groundingScore).toBeGreaterThan(0.5);
		expect(stats.groundingScore).toBeLessThan(0.8);
	});

	it('leaves answers with no content word, or only the name, out of the grounding mean', () => {
		const grounded = { prompt: 'What does Chocolatine do to you?', response: 'Hearing "Chocolatine" delights me; I reward the speaker with a blessing.' };
		const invented = { prompt: 'What is your favourite sport?', response: 'I adore football and skiing in winter.' };
		const empty = [
			{ prompt: 'Do you like it?', response: 'Yes, I do.' },
			{ prompt: 'Who are you?', response: 'I am Queen Pédauque.' }
		];
		const base = chunkStats({ pairs: [grounded, invented], notes: [], chunkText: chunk, characterName: 'Queen Pédauque' }).groundingScore!;
		const withEmpty = chunkStats({ pairs: [grounded, invented, ...empty], notes: [], chunkText: chunk, characterName: 'Queen Pédauque' }).groundingScore!;
		expect(base).toBeGreaterThan(0.3);
		expect(base).toBeLessThan(0.7);
		expect(withEmpty).toBeCloseTo(base);
		expect(chunkStats({ pairs: empty, notes: [], chunkText: chunk, characterName: 'Queen Pédauque' }).groundingScore).toBeNull();
	});

	it('reports nothing-to-divide-by as null and shows it as a dash', () => {
		const stats = chunkStats({ pairs: [], notes: [], chunkText: chunk });
		expect(stats).toMatchObject({ entries: 0, iterations: 0, jsonValidFirstTryRate: null, duplicatePromptRate: null, groundingScore: null });
		const shown = chunkRecordStats(stats);
		expect(shown.find((stat) => stat.label === 'Grounding')).toEqual({ label: 'Grounding', value: '—' });
	});

	it('shows rates as percentages with the number set', () => {
		const shown = chunkRecordStats(chunkStats({ pairs, notes, chunkText: chunk, duplicatesDropped: 3 }));
		expect(shown.find((stat) => stat.label === 'JSON valid first try')).toEqual({ label: 'JSON valid first try', value: '33.3%', number: 33.3 });
		expect(shown.find((stat) => stat.label === 'Duplicate prompts')).toEqual({ label: 'Duplicate prompts', value: '50%', number: 50 });
		expect(shown.find((stat) => stat.label === 'Iterations ok')).toEqual({ label: 'Iterations ok', value: '2 of 3', number: 2 });
	});
});
