/**
 * renderChat against Python's jinja2 (Debian python3-jinja2, transformers' environment) on every
 * built-in template and fixture conversation: tests/fixtures/templates/<family>.json, captured by
 * scripts/capture-template-goldens.py.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderChat, TemplateRaisedError, type TemplateConversation } from './render';

const FIXTURES = 'tests/fixtures/templates';
const DATA = 'src/lib/core/templates/data';

interface Golden {
	family: string;
	now: string;
	renders: Record<string, { text?: string; raised?: string; failed?: string }>;
}

const conversations = JSON.parse(readFileSync(`${FIXTURES}/conversations.json`, 'utf8')) as Record<string, TemplateConversation>;
const families = readdirSync(DATA)
	.filter((file) => file.endsWith('.json'))
	.map((file) => file.slice(0, -'.json'.length));

describe('renderChat equals Python jinja2 (transformers environment)', () => {
	it('has a golden file for every built-in template', () => {
		expect(families.length).toBeGreaterThanOrEqual(6);
		for (const family of families) expect(() => readFileSync(`${FIXTURES}/${family}.json`)).not.toThrow();
	});

	for (const family of families) {
		const data = JSON.parse(readFileSync(`${DATA}/${family}.json`, 'utf8')) as { chat_template: string; bos_token: string | null; eos_token: string | null };
		const golden = JSON.parse(readFileSync(`${FIXTURES}/${family}.json`, 'utf8')) as Golden;
		describe(family, () => {
			for (const [name, conversation] of Object.entries(conversations)) {
				const expected = golden.renders[name];
				it(name, () => {
					expect(expected, `no golden for ${name}: rerun scripts/capture-template-goldens.py`).toBeDefined();
					const render = () =>
						renderChat(data.chat_template, conversation, { bosToken: data.bos_token, eosToken: data.eos_token, now: new Date(golden.now) });
					if (expected.text !== undefined) expect(render()).toBe(expected.text);
					else if (expected.raised !== undefined) {
						expect(render).toThrow(TemplateRaisedError);
						expect(render).toThrow(expected.raised);
					} else expect(render).toThrow();
				});
			}
		});
	}
});
