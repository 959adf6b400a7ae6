import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../contracts/engine';
import { canonicalJson, stepKey } from './cache-key';
import { VirtualClock } from './clock';
import { buildManifest, compareManifests, runStatus, type ManifestInput } from './manifest';
import { TokenBucket } from './rate-limiter';
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs } from './retry';
import { splitThink } from './think';
import { extractTags, extractTagsDetailed } from './xml-tags';

describe('extractTags', () => {
	it('extracts several facts, trimmed, ignoring prose and empty ones', () => {
		const text = 'Here:\n<fact> Skein is local-first. </fact>\n<fact>It runs in a browser.</fact><fact>  </fact> done';
		expect(extractTags(text, 'fact')).toEqual(['Skein is local-first.', 'It runs in a browser.']);
	});
	it('is nested-safe, case-insensitive, accepts attributes, drops an unclosed element', () => {
		expect(extractTags('<fact>a <fact>b</fact> c</fact>', 'fact')).toEqual(['a <fact>b</fact> c']);
		expect(extractTags('<FACT id="1">x</FACT>', 'fact')).toEqual(['x']);
		expect(extractTagsDetailed('<fact>ok</fact><fact>cut off', 'fact')).toEqual({ values: ['ok'], unclosed: true });
		expect(extractTags('<facts>no</facts>', 'fact')).toEqual([]);
	});
	it('returns every wrapped value (property)', () => {
		const value = fc.string().filter((s) => !/<\/?fact/i.test(s) && s.trim() !== '');
		fc.assert(
			fc.property(fc.array(value, { maxLength: 6 }), (values) => {
				const text = values.map((v) => `noise <fact>${v}</fact>`).join('\n');
				expect(extractTags(text, 'fact')).toEqual(values.map((v) => v.trim()));
			})
		);
	});
});

describe('splitThink', () => {
	it('separates thinking from the answer', () => {
		expect(splitThink('<think>plan</think>\nAnswer')).toEqual({ thinking: 'plan', answer: 'Answer', unclosed: false });
		expect(splitThink('No thinking')).toEqual({ thinking: '', answer: 'No thinking', unclosed: false });
		expect(splitThink('<think>still going')).toEqual({ thinking: 'still going', answer: '', unclosed: true });
		expect(splitThink('reasoning</think>final')).toEqual({ thinking: 'reasoning', answer: 'final', unclosed: false });
	});
});

describe('stepKey', () => {
	const base = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], sampling: { max_tokens: 5, temperature: 0.5 }, stepIndex: 0 };
	it('ignores sampling key order and changes with every part', () => {
		expect(stepKey(base)).toBe(stepKey({ ...base, sampling: { temperature: 0.5, max_tokens: 5 } }));
		expect(stepKey(base)).not.toBe(stepKey({ ...base, model: 'n' }));
		expect(stepKey(base)).not.toBe(stepKey({ ...base, stepIndex: 1 }));
		expect(stepKey(base)).not.toBe(stepKey({ ...base, sampling: { max_tokens: 5, temperature: 0.6 } }));
		expect(stepKey(base)).not.toBe(stepKey({ ...base, messages: [{ role: 'system', content: 'hi' }] }));
		expect(stepKey(base)).not.toBe(stepKey({ ...base, responseFormat: { type: 'json_object' } }));
	});
	it('canonicalJson sorts keys and drops undefined', () => {
		expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 2 }] })).toBe('{"a":[{"c":2}],"b":1}');
	});
});

describe('retry policy', () => {
	it('classifies errors', () => {
		expect(isRetryable(new EngineError('timeout', 't'))).toBe(true);
		expect(isRetryable(new EngineError('network', 'n'))).toBe(true);
		for (const status of [408, 425, 429, 500, 502, 503, 504]) expect(isRetryable(new EngineError('http', 'h', { status }))).toBe(true);
		for (const status of [400, 401, 403, 404, 422]) expect(isRetryable(new EngineError('http', 'h', { status }))).toBe(false);
		expect(isRetryable(new EngineError('aborted', 'a'))).toBe(false);
		expect(isRetryable(new Error('x'))).toBe(false);
	});
	it('backs off exponentially within jitter bounds, capped, and honours Retry-After', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, r) => {
				const ms = retryDelayMs(DEFAULT_RETRY_POLICY, attempt, new EngineError('network', 'n'), () => r);
				const nominal = Math.min(60_000, 1000 * 2 ** (attempt - 1));
				expect(ms).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
				expect(ms).toBeLessThanOrEqual(Math.ceil(nominal * 1.2));
			})
		);
		expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, new EngineError('http', '429', { status: 429, retryAfterMs: 12_000 }), () => 0)).toBe(12_000);
		expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, new EngineError('http', '429', { status: 429, retryAfterMs: 10_000_000 }), () => 0)).toBe(300_000);
	});
});

describe('TokenBucket', () => {
	it('allows a burst, then the rate', async () => {
		const clock = new VirtualClock();
		const bucket = new TokenBucket({ requestsPerSecond: 4, burst: 3 }, clock);
		const times: number[] = [];
		await Promise.all(Array.from({ length: 6 }, () => bucket.acquire().then(() => times.push(clock.now()))));
		expect(times).toEqual([0, 0, 0, 250, 500, 750]);
	});
	it('rejects a nonsensical limit', () => {
		expect(() => new TokenBucket({ requestsPerSecond: 0, burst: 1 }, new VirtualClock())).toThrow(RangeError);
	});
});

describe('manifests', () => {
	const input: ManifestInput = {
		recipeId: 'identity',
		definition: { version: 1, template: 'Extract facts' },
		params: { perFact: 3 },
		documents: { identity: 'I am Skein.', style: 'Terse.' },
		model: { engineId: 'endpoint:x', model: 'qwen', sampling: { max_tokens: 100, temperature: 0.7 } },
		inputs: [{ fact: 'a' }, { fact: 'b' }, { fact: 'c' }]
	};
	it('is stable and has no timestamps', () => {
		expect(buildManifest(input)).toEqual(buildManifest(structuredClone(input)));
		expect(compareManifests(buildManifest(input), buildManifest(input))).toEqual([]);
		expect(runStatus(buildManifest(input), buildManifest(input))).toEqual({ state: 'current' });
	});
	it('lists each change with a reason', () => {
		const old = buildManifest(input);
		const changed = buildManifest({
			...input,
			definition: { version: 2, template: 'Extract facts' },
			params: { perFact: 4 },
			documents: { identity: 'I am Skein 2.', extra: 'x' },
			model: { ...input.model, sampling: { max_tokens: 100, temperature: 0.2 } },
			inputs: [{ fact: 'a' }]
		});
		const kinds = compareManifests(old, changed).map((c) => c.kind);
		expect(kinds).toEqual(['definition', 'params', 'document-added', 'document-changed', 'document-removed', 'model', 'inputs']);
		const modelChange = compareManifests(old, buildManifest({ ...input, model: { ...input.model, model: 'llama' } }))[0];
		expect(modelChange.reason).toContain('qwen');
		expect(modelChange.reason).toContain('llama');
	});
	it('marks a limited run partial', () => {
		const partial = buildManifest({ ...input, limit: 2 });
		expect(partial).toMatchObject({ partial: true, limit: 2 });
		expect(buildManifest({ ...input, limit: 10 }).partial).toBe(false);
		expect(runStatus(partial, buildManifest(input))).toEqual({ state: 'partial', limit: 2 });
	});
});
