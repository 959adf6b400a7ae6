import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX, largestRemainder, parseDelimited, parsePromptPool, planPoolSample, ratingCountsOf, unratedStratum } from './prompt-pool';
import type { Stratum } from './sources';

describe('parsePromptPool', () => {
	it('reads JSONL with a prompt field and a numeric score, reporting bad lines', () => {
		const text = [
			'{"id":"34353c3a","prompt":"What do you think about tides?","score":5}',
			'{"id":"a1","prompt":"Convert this JSON to YAML: {\\"a\\":1}","score":"2"}',
			'not json',
			'',
			'{"id":"a2","text":"What is 2+2?","score":1}',
			'{"id":"a3","prompt":"Explain how locks on a canal work","score":"high"}',
			'{"id":"a4","score":3}',
			'"Just a string prompt"'
		].join('\n');
		const pool = parsePromptPool(text, 'wildchat-rated.jsonl');
		expect(pool.format).toBe('jsonl');
		expect(pool.ratingField).toBe('score');
		expect(pool.items).toEqual([
			{ text: 'What do you think about tides?', rating: 5 },
			{ text: 'Convert this JSON to YAML: {"a":1}', rating: 2 },
			{ text: 'What is 2+2?', rating: 1 },
			{ text: 'Explain how locks on a canal work', rating: null },
			{ text: 'Just a string prompt', rating: null }
		]);
		expect(pool.problems.map((problem) => problem.line)).toEqual([3, 6, 7]);
		expect(pool.problems[1].reason).toContain('"high" is not a number');
		expect(pool.problems[2].reason).toContain('No prompt field');
	});

	it('reads the first user turn of chat records and JSON arrays', () => {
		const pool = parsePromptPool('[{"messages":[{"role":"system","content":"x"},{"role":"user","content":"Hello there"}],"openness":4},{"instruction":"Write a haiku","openness":5}]', 'pool.json');
		expect(pool.format).toBe('json');
		expect(pool.ratingField).toBe('openness');
		expect(pool.items).toEqual([
			{ text: 'Hello there', rating: 4 },
			{ text: 'Write a haiku', rating: 5 }
		]);
	});

	it('reads CSV with quoted commas, quotes and line breaks, and a rating column', () => {
		const text = 'id,prompt,openness\r\n1,"Tell me a story, any story",5\r\n2,"Explain ""vector clocks""\nin two lines",3\r\n3,,2\r\n4,Plain prompt,\r\n5,Odd one,n/a\r\n';
		const pool = parsePromptPool(text, 'prompts.csv');
		expect(pool.format).toBe('csv');
		expect(pool.ratingField).toBe('openness');
		expect(pool.items).toEqual([
			{ text: 'Tell me a story, any story', rating: 5 },
			{ text: 'Explain "vector clocks"\nin two lines', rating: 3 },
			{ text: 'Plain prompt', rating: null },
			{ text: 'Odd one', rating: null }
		]);
		expect(pool.problems).toEqual([
			{ line: 5, reason: 'Empty prompt.' },
			{ line: 7, reason: 'The openness "n/a" is not a number; the prompt is kept unrated.' }
		]);
	});

	it('picks a text column when no header is a known prompt name, and reads TSV', () => {
		const csv = parsePromptPool('rank,utterance\n4,"Hi, how are you?"\n2,Sort this list\n', 'x.csv');
		expect(csv.items).toEqual([
			{ text: 'Hi, how are you?', rating: null },
			{ text: 'Sort this list', rating: null }
		]);
		const tsv = parsePromptPool('question\tscore\nWhy is the sky blue?\t3\n', 'x.tsv');
		expect(tsv.items).toEqual([{ text: 'Why is the sky blue?', rating: 3 }]);
		expect(tsv.ratingField).toBe('score');
	});

	it('reports an unclosed quote and reads to the end', () => {
		const { records, unterminatedAt } = parseDelimited('a,b\n1,"open\nstill open', ',');
		expect(unterminatedAt).toBe(2);
		expect(records[1]).toEqual({ line: 2, fields: ['1', 'open\nstill open'] });
		expect(parsePromptPool('prompt\n"never closed', 'p.csv').problems[0].reason).toContain('never closed');
	});

	it('treats pasted text as one prompt per non-empty line', () => {
		const pool = parsePromptPool('  How do magnets work?\n\nWrite a limerick about tea\r\n', 'pasted');
		expect(pool.format).toBe('lines');
		expect(pool.items).toEqual([
			{ text: 'How do magnets work?', rating: null },
			{ text: 'Write a limerick about tea', rating: null }
		]);
		expect(parsePromptPool('{"prompt":"a"}\n{"prompt":"b"}', 'pasted').items).toHaveLength(2);
	});

	it('reads files that start with a byte-order mark, in every format', () => {
		const bom = '\uFEFF';
		const jsonl = parsePromptPool(`${bom}{"prompt":"What do you think about tides?","score":5}\r\n{"prompt":"Sort this list","score":2}\r\n`, 'rated.jsonl');
		expect(jsonl.problems).toEqual([]);
		expect(jsonl.items).toEqual([
			{ text: 'What do you think about tides?', rating: 5 },
			{ text: 'Sort this list', rating: 2 }
		]);
		const json = parsePromptPool(`${bom}[{"prompt":"Write a haiku","openness":5}]`, 'pool.json');
		expect(json.format).toBe('json');
		expect(json.items).toEqual([{ text: 'Write a haiku', rating: 5 }]);
		const csv = parsePromptPool(`${bom}prompt,score\r\n"Two\r\nlines",3\r\n`, 'p.csv');
		expect(csv.items).toEqual([{ text: 'Two\nlines', rating: 3 }]);
		expect(parsePromptPool(`${bom}How do magnets work?\n`, 'pasted').items).toEqual([{ text: 'How do magnets work?', rating: null }]);
	});

	it('reports a non-numeric rating met before the first numeric one, with its line', () => {
		const pool = parsePromptPool('{"prompt":"Explain canal locks","score":"high"}\n{"prompt":"What is 2+2?","score":1}\n{"prompt":"Hi","score":"n/a"}\n', 'p.jsonl');
		expect(pool.ratingField).toBe('score');
		expect(pool.items.map((item) => item.rating)).toEqual([null, 1, null]);
		expect(pool.problems.map((problem) => problem.line)).toEqual([1, 3]);
		expect(pool.problems[0].reason).toBe('The score "high" is not a number; the prompt is kept unrated.');
		// A field that is never numeric is not a rating: nothing to report.
		expect(parsePromptPool('{"prompt":"a","level":"beginner"}\n{"prompt":"b","level":"expert"}', 'p.jsonl').problems).toEqual([]);
	});

	it('keeps the first line of a CSV without a header row', () => {
		const pool = parsePromptPool('What is love?,5\nSort this list,2\n"Tell me a story, any story",4\n', 'p.csv');
		expect(pool.items).toEqual([
			{ text: 'What is love?', rating: 5 },
			{ text: 'Sort this list', rating: 2 },
			{ text: 'Tell me a story, any story', rating: 4 }
		]);
		expect(pool.ratingField).toBe('column 2');
		expect(parsePromptPool('How do magnets work?\nWhy is the sky blue?\n', 'p.csv').items).toHaveLength(2);
		// A header of unknown names is still a header.
		expect(parsePromptPool('rank,utterance\n4,Hello\n', 'x.csv').items).toEqual([{ text: 'Hello', rating: null }]);
	});

	it('counts items per rating with "" for unrated', () => {
		expect(ratingCountsOf([{ rating: 5 }, { rating: 5 }, { rating: null }, { rating: 1 }])).toEqual({ '5': 2, '': 1, '1': 1 });
	});
});

describe('largestRemainder', () => {
	it('splits exactly', () => {
		expect(largestRemainder([0.4, 0.4, 0.2], 10)).toEqual([4, 4, 2]);
		expect(largestRemainder([0.4, 0.4, 0.2], 7)).toEqual([3, 3, 1]);
		expect(largestRemainder([1, 1, 1], 2)).toEqual([1, 1, 0]);
		expect(largestRemainder([0, 1], 5)).toEqual([0, 5]);
		expect(largestRemainder([0, 0], 5)).toEqual([0, 0]);
	});
});

describe('planPoolSample', () => {
	const counts = { '1': 300, '2': 200, '3': 200, '4': 150, '5': 150, '': 50 };

	it('takes exact per-stratum counts by the default mix, distinct items, in range', () => {
		const plan = planPoolSample(counts, DEFAULT_MIX, 100, 42);
		expect(plan.picks).toHaveLength(100);
		expect(plan.strata.map((stratum) => stratum.taken)).toEqual([40, 40, 20]);
		const high = plan.picks.filter((pick) => pick.rating !== null && pick.rating >= 4).length;
		expect(high).toBe(40);
		expect(plan.picks.some((pick) => pick.rating === null)).toBe(false);
		const keys = plan.picks.map((pick) => `${pick.rating}:${pick.ordinal}`);
		expect(new Set(keys).size).toBe(100);
		for (const pick of plan.picks) expect(pick.ordinal).toBeLessThan(counts[String(pick.rating) as keyof typeof counts]);
		expect(plan.notes).toEqual(['50 unrated items are not used (the mix is by rating).']);
		expect(plan.shortfall).toBe(0);
	});

	it('is seeded: same seed, same picks; another seed, other picks', () => {
		expect(planPoolSample(counts, DEFAULT_MIX, 50, 7)).toEqual(planPoolSample(counts, DEFAULT_MIX, 50, 7));
		expect(planPoolSample(counts, DEFAULT_MIX, 50, 8).picks).not.toEqual(planPoolSample(counts, DEFAULT_MIX, 50, 7).picks);
	});

	it('gives a short stratum’s remainder to the others and says so', () => {
		const plan = planPoolSample({ '1': 3, '2': 100, '3': 100, '4': 100, '5': 100 }, DEFAULT_MIX, 100, 1);
		expect(plan.picks).toHaveLength(100);
		expect(plan.strata.map((stratum) => [stratum.wanted, stratum.taken])).toEqual([
			[40, 49],
			[40, 48],
			[20, 3]
		]);
		expect(plan.notes).toEqual(['rating 1: 3 items for 20 wanted; took all 3.', 'The 17 missing went to ratings 4–5 (+9), ratings 2–3 (+8).']);
	});

	it('samples the whole pool, unrated included, when the mix is empty; an unrated stratum takes unrated items', () => {
		const whole = planPoolSample({ '': 10, '3': 5 }, [], 15, 3);
		expect(whole.picks).toHaveLength(15);
		expect(whole.picks.filter((pick) => pick.rating === null)).toHaveLength(10);
		const mixed = planPoolSample({ '': 10, '3': 5 }, [{ min: 1, max: 5, share: 0.5 }, unratedStratum(0.5)], 8, 3);
		expect(mixed.picks.filter((pick) => pick.rating === null)).toHaveLength(4);
		expect(JSON.parse(JSON.stringify(whole.strata))).toEqual(whole.strata);
	});

	it('says when the pool is smaller than n', () => {
		const plan = planPoolSample({ '4': 3, '2': 2 }, DEFAULT_MIX, 10, 1);
		expect(plan.picks).toHaveLength(5);
		expect(plan.shortfall).toBe(5);
		expect(plan.notes.at(-1)).toBe('The pool has only 5 usable items for the 10 asked for; the sample is smaller.');
	});

	it('property: picks sum to min(n, usable), are distinct and in range, follow the mix when enough items, and are seeded', () => {
		const strata = fc.array(fc.record({ min: fc.integer({ min: 1, max: 5 }), span: fc.integer({ min: 0, max: 2 }), share: fc.integer({ min: 0, max: 10 }) }), { minLength: 0, maxLength: 4 });
		const countsArb = fc.dictionary(fc.constantFrom('', '1', '2', '3', '4', '5', '6'), fc.integer({ min: 0, max: 60 }));
		fc.assert(
			fc.property(countsArb, strata, fc.integer({ min: 0, max: 150 }), fc.integer(), (ratingCounts, raw, n, seed) => {
				const mix: Stratum[] = raw.map((s) => ({ min: s.min, max: s.min + s.span, share: s.share / 10 }));
				const plan = planPoolSample(ratingCounts, mix, n, seed);
				const usable = plan.strata.filter((s) => s.share > 0 || !mix.some((m) => m.share > 0)).reduce((sum, s) => sum + s.available, 0);
				expect(plan.picks.length).toBe(Math.min(n, usable));
				expect(plan.picks.length + plan.shortfall).toBe(n);
				expect(plan.strata.reduce((sum, s) => sum + s.taken, 0)).toBe(plan.picks.length);
				// A mix of zero shares counts as no mix (the whole pool), so the wanted counts always sum to n.
				expect(plan.strata.reduce((sum, s) => sum + s.wanted, 0)).toBe(n);
				const keys = new Set(plan.picks.map((pick) => `${pick.rating}:${pick.ordinal}`));
				expect(keys.size).toBe(plan.picks.length);
				for (const pick of plan.picks) expect(pick.ordinal).toBeLessThan(ratingCounts[pick.rating === null ? '' : String(pick.rating)] ?? 0);
				if (plan.strata.every((s) => s.available >= s.wanted)) for (const s of plan.strata) expect(s.taken).toBe(s.wanted);
				expect(planPoolSample(ratingCounts, mix, n, seed)).toEqual(plan);
			}),
			{ numRuns: 300 }
		);
	});
});
