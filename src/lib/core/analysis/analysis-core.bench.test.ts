/**
 * The analysis page's core algorithms timed in Node, for `npm run bench` (`analysis_core_node_s`,
 * the denominator of `analysis_100k_ratio`): everything the page computes on opening — structure,
 * token counts with the default tokenizer, near-duplicate conversations and near-duplicate
 * prompts (the diversity figure) — each over the same entries already in memory.
 *
 * With ANALYSIS_BENCH_FILE=path.jsonl it reads that file (imported as the app imports it) and
 * prints `analysis core: … ms`; without it, it times a small generated dataset so the file stays
 * a working test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importText } from '../import/file-importer';
import type { Entry } from '../model';
import { DuplicateFinder } from './duplicates';
import { StructureCollector } from './structure';
import { TokenCollector } from './tokens';
import { DEFAULT_TOKENIZER, tokenizerInfo } from './tokenizers';
import { loadTokenizer } from './tokenizer-loader';

function entriesOf(text: string, fileName: string): Entry[] {
	let n = 0;
	return importText(text, { fileName, sizeBytes: text.length, newId: () => `e${n++}` }).entries;
}

function smallDataset(): string {
	const lines: string[] = [];
	for (let i = 0; i < 2000; i++) {
		const topic = ['tea', 'storms', 'maps', 'bells'][i % 4];
		lines.push(
			JSON.stringify({
				messages: [
					{ role: 'user', content: `Tell me about ${topic} number ${i % 700} in the old harbour village.` },
					{ role: 'assistant', content: `The ${topic} of the harbour were ${i % 3 === 0 ? 'famous' : 'quiet'} and remembered by keeper ${i % 500}.` }
				]
			})
		);
	}
	return lines.join('\n');
}

describe('analysis core (Node)', () => {
	it('times structure, tokens and both near-duplicate passes over the same entries', { timeout: 600_000 }, async () => {
		const file = process.env.ANALYSIS_BENCH_FILE;
		const entries = file ? entriesOf(readFileSync(file, 'utf8'), file) : entriesOf(smallDataset(), 'small.jsonl');
		const count = await loadTokenizer(DEFAULT_TOKENIZER);
		const times: Record<string, number> = {};
		const timed = <T>(name: string, run: () => T): T => {
			const t0 = performance.now();
			const result = run();
			times[name] = performance.now() - t0;
			return result;
		};
		const structure = timed('structure', () => {
			const c = new StructureCollector();
			for (const entry of entries) c.add(entry);
			return c.finish();
		});
		const tokens = timed('tokens', () => {
			const c = new TokenCollector(tokenizerInfo(DEFAULT_TOKENIZER), count);
			for (const entry of entries) c.add(entry);
			return c.finish();
		});
		const conversations = timed('nearConversations', () => {
			const f = new DuplicateFinder({ scope: 'conversations', method: 'near', threshold: 0.8 });
			entries.forEach((entry, i) => f.add(entry, i));
			return f.finish();
		});
		const prompts = timed('nearPrompts', () => {
			const f = new DuplicateFinder({ scope: 'prompts', method: 'near', threshold: 0.8 });
			entries.forEach((entry, i) => f.add(entry, i));
			return f.finish();
		});
		const total = Object.values(times).reduce((a, b) => a + b, 0);
		const parts = Object.entries(times)
			.map(([k, v]) => `${k} ${Math.round(v)}`)
			.join(', ');
		console.log(`analysis core: ${Math.round(total)} ms (${parts}; ${entries.length} entries)`);
		expect(structure.entries).toBe(entries.length);
		expect(tokens.entries).toBe(entries.length);
		expect(conversations.compared).toBeGreaterThan(0);
		expect(prompts.compared).toBeGreaterThan(0);
	});
});
