/**
 * Precision and recall of the placeholder and error-text rules on a corpus: valid technical
 * answers (LaTeX, code with braces outside fences, HTML lessons, stage directions, JSON, regex,
 * shell, templates the user asked for) must give no finding; real leftovers and real error
 * output must all be found. The figures are printed so a change that trades one for the other
 * shows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../model';
import { createValidationContext } from './context';
import { RULES_BY_ID } from './rules/index';
import { entryOf } from './testing';
import type { EntryRule } from './types';

function corpus(name: string): Entry[] {
	const text = readFileSync(new URL(`../../../../tests/fixtures/validation/precision/${name}`, import.meta.url), 'utf8');
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => entryOf((JSON.parse(line) as { messages: Entry['messages'] }).messages));
}

const valid = corpus('technical-answers.jsonl');
const placeholders = corpus('real-placeholders.jsonl');
const errors = corpus('real-error-output.jsonl');
const ctx = createValidationContext();

function rule(id: string): EntryRule {
	const found = RULES_BY_ID.get(id);
	if (found === undefined || found.scope !== 'entry') throw new Error(`no entry rule ${id}`);
	return found;
}

function figures(id: string, positives: Entry[]) {
	const checked = rule(id);
	const falsePositives = valid.filter((entry) => checked.check(entry, ctx).length > 0);
	const missed = positives.filter((entry) => checked.check(entry, ctx).length === 0);
	if (missed.length > 0) console.log(texts(missed));
	const truePositives = positives.length - missed.length;
	const precision = truePositives / (truePositives + falsePositives.length);
	const recall = truePositives / positives.length;
	console.log(`${id}: ${valid.length} valid answers, ${falsePositives.length} false positives; ${positives.length} real, ${truePositives} found — precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
	return { falsePositives, missed };
}

const texts = (entries: Entry[]) => entries.map((entry) => entry.messages.map((m) => m.content).join(' ⏎ '));

describe('precision corpus', () => {
	it('has at least 60 valid technical answers and 20 real placeholders', () => {
		expect(valid.length).toBeGreaterThanOrEqual(60);
		expect(placeholders.length).toBeGreaterThanOrEqual(20);
		expect(errors.length).toBeGreaterThanOrEqual(10);
	});

	it('placeholder: no finding on valid answers, every real placeholder found', () => {
		const { falsePositives, missed } = figures('placeholder', placeholders);
		expect(texts(falsePositives)).toEqual([]);
		expect(texts(missed)).toEqual([]);
	});

	it('error-text: no finding on valid answers (HTML lessons included), every real error output found', () => {
		const { falsePositives, missed } = figures('error-text', errors);
		expect(texts(falsePositives)).toEqual([]);
		expect(texts(missed)).toEqual([]);
	});

	it('names what it found: the placeholder itself, and the error page by its title', () => {
		const identity = rule('placeholder').check(placeholders[0], ctx);
		expect(identity[0].message).toBe('Message 2 contains {{name}}, {{author}}.');
		const bare = rule('placeholder').check(placeholders[5], ctx);
		expect(bare[0].message).toBe('Message 2 contains NAME, AUTHOR.');
		const page = rule('error-text').check(errors[0], ctx);
		expect(page[0].message).toBe('Message 2 is an HTML error page ("502 Bad Gateway").');
	});
});
