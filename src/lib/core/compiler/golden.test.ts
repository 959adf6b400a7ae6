/**
 * Golden tests: every built-in template compiled with fixed settings must give exactly the bytes
 * in tests/fixtures/compiler/. A change to the library changes these files: run with
 * UPDATE_GOLDEN=1 to rewrite them, then review the diff as a prompt change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePrompt } from './compile';
import { GOLDEN_SETTINGS } from './golden-settings';
import { BUILTIN_CHUNKS, BUILTIN_TEMPLATES } from './library';
import { makeRegistry } from './registry';

const DIR = join(process.cwd(), 'tests/fixtures/compiler');
const registry = makeRegistry(BUILTIN_CHUNKS, BUILTIN_TEMPLATES);

describe('golden prompts of the built-in library', () => {
	it('has golden settings for every built-in template, and at least six templates', () => {
		expect(BUILTIN_TEMPLATES.length).toBeGreaterThanOrEqual(6);
		for (const template of BUILTIN_TEMPLATES) expect(GOLDEN_SETTINGS[template.id]?.length, template.id).toBeGreaterThan(0);
	});

	for (const template of BUILTIN_TEMPLATES) {
		(GOLDEN_SETTINGS[template.id] ?? []).forEach((settings, index) => {
			it(`${template.id} #${index + 1}`, () => {
				const result = compilePrompt(template, settings, registry);
				if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
				expect(result.warnings).toEqual([]);
				const file = join(DIR, `${template.id}.${index + 1}.txt`);
				if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
					mkdirSync(DIR, { recursive: true });
					writeFileSync(file, result.prompt);
					if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`wrote missing golden file ${file}: review it, then re-run`);
				}
				expect(result.prompt).toBe(readFileSync(file, 'utf8'));
			});
		});
	}
});
