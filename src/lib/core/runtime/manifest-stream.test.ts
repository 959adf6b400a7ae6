import { describe, expect, it } from 'vitest';
import { hashText, TextStreamHasher } from '../hash';
import { hashValue, InputSetHasher } from './manifest';
import { RunManifestBuilder, runManifest } from './staleness';

/** Input records of the real shape (a continuation run's), some with odd-length JSON and non-ASCII text. */
const inputs = Array.from({ length: 257 }, (_, i) => ({
	id: `entry-e${i}`,
	input: {
		entryId: `e${i}`,
		messages: [
			{ role: 'user', content: `Keeper, question ${i}: is the lamp lit?${i % 3 ? '' : ' — “always”, 🌊'}` },
			{ role: 'assistant', content: `Lit and trimmed. Entry ${i}.`.repeat((i % 4) + 1) }
		]
	}
}));

describe('incremental manifest hashing', () => {
	it('a text written in pieces hashes as the joined text, wherever it is cut', () => {
		const text = JSON.stringify(inputs);
		for (const cuts of [[1], [2, 3, 5, 7, 11], [text.length - 1], [0, 0, 4]]) {
			const hasher = new TextStreamHasher();
			let at = 0;
			for (const cut of cuts) {
				hasher.write(text.slice(at, at + cut));
				at += cut;
			}
			hasher.write(text.slice(at));
			expect(hasher.digest()).toBe(hashText(text));
		}
		expect(new TextStreamHasher().digest()).toBe(hashText(''));
		expect(new TextStreamHasher().write('a').digest()).toBe(hashText('a'));
		// Not the same as another text of the same pieces.
		expect(new TextStreamHasher().write('ab').write('c').digest()).not.toBe(hashText('abd'));
	});

	it('the input set hashed record by record equals the whole-array hash, at every point', () => {
		const hasher = new InputSetHasher();
		expect(hasher.digest()).toBe(hashValue([]));
		inputs.forEach((input, i) => {
			hasher.add(input);
			if (i % 64 === 0 || i === inputs.length - 1) expect(hasher.digest()).toBe(hashValue(inputs.slice(0, i + 1)));
		});
		expect(hasher.count).toBe(inputs.length);
		// Block by block (1,000-entry blocks in the app): the same hash as one pass.
		const blocks = new InputSetHasher();
		for (let start = 0; start < inputs.length; start += 100) for (const input of inputs.slice(start, start + 100)) blocks.add(input);
		expect(blocks.digest()).toBe(hashValue(inputs));
		// A changed record changes it.
		const changed = inputs.map((input, i) => (i === 200 ? { ...input, id: 'entry-other' } : input));
		const other = new InputSetHasher();
		for (const input of changed) other.add(input);
		expect(other.digest()).not.toBe(hashValue(inputs));
	});
});

describe('manifests built block by block', () => {
	const run = { recipeId: 'continuation', params: { datasetId: 'ds-1', mode: 'regenerate' }, engine: { kind: 'endpoint' as const, label: 'vLLM', baseUrl: 'http://gpu-box:8000/v1/', model: 'qwen2.5-3b' }, settings: { sampling: { temperature: 0.7, max_tokens: 256 }, seed: 11 } };
	const entries = Array.from({ length: 23 }, (_, i) => ({ id: `entry-e${i}`, input: { entryId: `e${i}`, messages: [{ role: 'user', content: `Night ${i}: is the lamp lit?` }] } }));
	const documents = (from: number, to: number) => ({ 'identity:Wren': 'I am Wren, keeper of the light.', ...Object.fromEntries(entries.slice(from, to).map((input, i) => [`entry:e${from + i}`, `user: Night ${from + i}`])) });
	const definition = { recipe: 'continuation', version: 3 };

	it('equal the manifest built at once, whatever the blocks', () => {
		const atOnce = runManifest(run, { definition, documents: documents(0, 23), inputs: entries, sharedDocuments: ['identity:Wren'] });
		for (const cuts of [[23], [5, 23], [1, 2, 3, 10, 22, 23]]) {
			const builder = new RunManifestBuilder(run, { definition, sharedDocuments: ['identity:Wren'] });
			let from = 0;
			for (const to of cuts) {
				builder.add({ documents: documents(from, to), inputs: entries.slice(from, to) });
				from = to;
			}
			expect(builder.inputCount).toBe(23);
			expect(builder.manifest()).toEqual(atOnce);
		}
	});

	it('differ when an input in any block differs', () => {
		const builder = (changed: number) => {
			const b = new RunManifestBuilder(run, { definition });
			const inputs = entries.map((input, i) => (i === changed ? { ...input, input: { ...input.input, messages: [{ role: 'user', content: 'Changed.' }] } } : input));
			b.add({ documents: {}, inputs: inputs.slice(0, 10) }).add({ documents: {}, inputs: inputs.slice(10) });
			return b.manifest().inputHash;
		};
		expect(builder(-1)).not.toBe(builder(17));
		expect(builder(17)).not.toBe(builder(3));
	});
});
