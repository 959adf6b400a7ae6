import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashMessages } from '../hash';
import { copyEntry, entryToEditableJson, lineAndColumn, locateJsonError, replaceEntryFromJson, sameJson } from './entry-json';
import { roleplayEntries } from './test-fixtures';

const [aria] = roleplayEntries();

describe('replaceEntryFromJson', () => {
	it('reads back the editable JSON exactly', () => {
		const result = replaceEntryFromJson(entryToEditableJson(aria), aria.id);
		expect(result).toEqual({ ok: true, entry: aria });
	});

	it('recomputes the hash and fills defaults', () => {
		const text = JSON.stringify({ messages: [{ role: 'user', content: 'Hi, Aria.' }] });
		const result = replaceEntryFromJson(text, 'rp-100');
		expect(result.ok).toBe(true);
		if (result.ok) {
			expect(result.entry).toMatchObject({ id: 'rp-100', tags: [], meta: { review: 'draft' }, extra: {} });
			expect(result.entry.hash).toBe(hashMessages([{ role: 'user', content: 'Hi, Aria.' }]));
		}
	});

	it('locates a syntax error by line and column', () => {
		const text = entryToEditableJson(aria).replace('"banter"', '"banter",');
		const result = replaceEntryFromJson(text, aria.id);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			const [error] = result.errors;
			const expected = lineAndColumn(text, text.indexOf('"banter",') + '"banter",'.length);
			expect(error.line).toBeGreaterThan(1);
			// The error is at the closing bracket after the trailing comma (past the whitespace).
			expect(error.line).toBe(expected.line + 1);
			expect(error.message).toMatch(/trailing comma/);
		}
	});

	it('reports schema errors with their paths', () => {
		const edited = JSON.parse(entryToEditableJson(aria));
		edited.messages[2].role = 7;
		edited.messages[3].content = { text: 'no' };
		edited.tags = 'banter';
		const result = replaceEntryFromJson(JSON.stringify(edited), aria.id);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			const paths = result.errors.map((error) => error.path);
			expect(paths).toEqual(expect.arrayContaining(['messages[2].role', 'messages[3].content', 'tags']));
		}
	});

	it('refuses id changes and unknown keys instead of dropping them', () => {
		const edited = { ...JSON.parse(entryToEditableJson(aria)), id: 'other', mood: 'grumpy' };
		const result = replaceEntryFromJson(JSON.stringify(edited), aria.id);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors.map((error) => error.path).sort()).toEqual(['id', 'mood']);
	});

	it('refuses non-objects and hostile nesting', () => {
		expect(replaceEntryFromJson('[1, 2]', 'x')).toMatchObject({ ok: false, errors: [{ path: '' }] });
		const deep = '['.repeat(5000) + ']'.repeat(5000);
		expect(replaceEntryFromJson(`{"messages": ${deep}}`, 'x').ok).toBe(false);
	});
});

describe('locateJsonError', () => {
	it('finds the first error', () => {
		expect(locateJsonError('{"a": 1}')).toBeNull();
		expect(locateJsonError('{"a" 1}')).toMatchObject({ offset: 5 });
		expect(locateJsonError('{"a": 1')).toMatchObject({ offset: 7, message: expect.stringMatching(/end/) });
		expect(locateJsonError('{"a": "x\ny"}')).toMatchObject({ offset: 8 });
		expect(locateJsonError('{"a": tru}')).toMatchObject({ offset: 6 });
		expect(locateJsonError('1 2')).toMatchObject({ offset: 2 });
		expect(locateJsonError('')).toMatchObject({ offset: 0 });
	});

	it('agrees with JSON.parse on validity, and never throws', () => {
		const jsonish = fc.stringMatching(/^[\s{}[\]",:0-9a-z.eE+\-\\]{0,30}$/);
		fc.assert(
			fc.property(fc.oneof(jsonish, fc.json(), fc.string()), (text) => {
				let valid = true;
				try {
					JSON.parse(text);
				} catch {
					valid = false;
				}
				const located = locateJsonError(text);
				expect(located === null).toBe(valid);
				if (located) expect(located.offset).toBeLessThanOrEqual(text.length);
				expect(() => replaceEntryFromJson(text, 'x')).not.toThrow();
			}),
			{ numRuns: 2000 }
		);
	});
});

describe('copyEntry and sameJson', () => {
	it('copies an entry as a JSON round trip would, sharing no object with it', () => {
		for (const entry of roleplayEntries()) {
			const copy = copyEntry(entry);
			expect(JSON.stringify(copy)).toBe(JSON.stringify(entry));
			expect(copy).not.toBe(entry);
			expect(copy.messages).not.toBe(entry.messages);
			expect(copy.messages[0]).not.toBe(entry.messages[0]);
			expect(copy.meta).not.toBe(entry.meta);
			copy.messages[0].content = 'changed';
			expect(entry.messages[0].content).not.toBe('changed');
		}
		const odd = { a: undefined, b: [1, undefined, { c: undefined, d: 'x' }], e: null };
		expect(JSON.stringify(copyEntry(odd))).toBe(JSON.stringify(odd));
		expect(Object.keys(copyEntry(odd))).toEqual(['b', 'e']);
	});

	it('sameJson answers what comparing the JSON texts answers', () => {
		fc.assert(
			fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
				expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
				expect(sameJson(a, copyEntry({ v: a }).v)).toBe(true);
			})
		);
		expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
		expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
		expect(sameJson([1, undefined], [1, null])).toBe(true);
		expect(sameJson([1], { 0: 1 })).toBe(false);
		const proto = JSON.parse('{"":{"__proto__":""}}');
		expect(JSON.stringify(copyEntry(proto))).toBe(JSON.stringify(proto));
		expect(sameJson(proto, copyEntry(proto))).toBe(true);
		const entry = roleplayEntries()[0];
		const copy = copyEntry(entry);
		expect(sameJson(copy, entry)).toBe(true);
		copy.messages.at(-1)!.content += '!';
		expect(sameJson(copy, entry)).toBe(false);
	});

	it('a 30 MB message is copied and compared without being re-encoded', () => {
		const huge = 'tide '.repeat(6_000_000);
		const entry = { id: 'e1', messages: [{ role: 'assistant', content: huge }] };
		const copy = copyEntry(entry);
		expect(copy.messages[0].content).toBe(huge);
		expect(sameJson(copy, entry)).toBe(true);
	});
});
