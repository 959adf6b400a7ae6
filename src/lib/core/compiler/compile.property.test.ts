import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePrompt } from './compile';
import { extractRecords } from './extract';
import { GOLDEN_SETTINGS } from './golden-settings';
import { BUILTIN_CHUNKS, BUILTIN_TEMPLATES } from './library';
import { makeRegistry, type PromptChunk } from './registry';

const registry = makeRegistry(BUILTIN_CHUNKS, BUILTIN_TEMPLATES);
const mustacheish = fc.oneof(
	fc.string(),
	fc.constantFrom('{{entry_count}}', '{{#style}}', '{{/style}}', '{{{x}}}', '{{> p}}', '{{=<% %>=}}', '{{', '}}', '{{^tone}}', '{{constructor}}', '{{__proto__}}'),
	fc.array(fc.constantFrom('{{', '}}', '#', '/', 'entry_count', 'style', ' ', 'a', '\n', '&', '^', '!', '>'), { maxLength: 20 }).map((parts) => parts.join(''))
);
const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object(), mustacheish);

describe('compiler properties', () => {
	it('is deterministic and never throws, whatever the settings', () => {
		fc.assert(
			fc.property(fc.constantFrom(...BUILTIN_TEMPLATES), fc.dictionary(fc.string(), anyValue), fc.boolean(), (template, random, overlay) => {
				const settings = overlay ? { ...GOLDEN_SETTINGS[template.id][0], ...random } : random;
				const a = compilePrompt(template, settings, registry);
				const b = compilePrompt(template, structuredClone(settings), registry);
				expect(b).toEqual(a);
			}),
			{ numRuns: 400 }
		);
	});

	it('never throws, whatever the chunk text', () => {
		fc.assert(
			fc.property(fc.constantFrom(...BUILTIN_TEMPLATES), fc.constantFrom(...BUILTIN_CHUNKS), mustacheish, (template, original, text) => {
				const reg = makeRegistry([...BUILTIN_CHUNKS.filter((c) => c.id !== original.id), { ...original, text } satisfies PromptChunk], BUILTIN_TEMPLATES);
				compilePrompt(template, GOLDEN_SETTINGS[template.id][0], reg);
			}),
			{ numRuns: 400 }
		);
	});

	it('inserts typed text once, literally: it appears verbatim and is never rendered', () => {
		const template = BUILTIN_TEMPLATES.find((t) => t.id === 'conversation_scenarios');
		if (!template) throw new Error('missing template');
		fc.assert(
			fc.property(mustacheish, mustacheish, (instructions, extra) => {
				const typed = `«${instructions}»`;
				const more = `‹${extra}›`;
				const result = compilePrompt(template, { ...GOLDEN_SETTINGS.conversation_scenarios[0], content_instructions: typed, additional_instructions: more }, registry);
				if (!result.ok) return; // too long, etc.
				expect(result.prompt).toContain(typed.replace(/\r\n?/g, '\n').trim());
				expect(result.prompt).toContain(more.replace(/\r\n?/g, '\n').trim());
			}),
			{ numRuns: 400 }
		);
	});
});

describe('extractor properties', () => {
	it('never throws on any text, and finds every record of valid JSONL wrapped in prose', () => {
		fc.assert(
			fc.property(fc.string(), (text) => {
				extractRecords(text);
			}),
			{ numRuns: 500 }
		);
		fc.assert(
			fc.property(fc.array(fc.record({ prompt: fc.string(), response: fc.string() }), { maxLength: 8 }), fc.constantFrom('', 'Here you go:\n', 'Sure! [1] {see below}\n'), (records, lead) => {
				const text = `${lead}\`\`\`jsonl\n${records.map((r) => JSON.stringify(r)).join('\n')}\n\`\`\`\nHope this helps.`;
				const result = extractRecords(text);
				expect(result.records.map((r) => r.record)).toEqual(records);
				expect(result.problems).toEqual([]);
			}),
			{ numRuns: 300 }
		);
	});
});
