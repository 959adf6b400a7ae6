import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The worker modules depend on each other in one direction only: a service gets what it needs
 * from another through its constructor (typed by a small interface on its own side), never by
 * importing a module that imports it back. Type-only imports count too.
 */
const folder = fileURLToPath(new URL('.', import.meta.url));
const modules = readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));

function importsOf(name: string): string[] {
	const text = readFileSync(`${folder}/${name}`, 'utf8');
	return [...text.matchAll(/from '(?:\.\/|\$lib\/workers\/)([\w.-]+)'/g)].map((match) => `${match[1]}.ts`).filter((dep) => modules.includes(dep));
}

function cycles(): string[][] {
	const graph = new Map(modules.map((name) => [name, importsOf(name)]));
	const found: string[][] = [];
	const done = new Set<string>();
	const visit = (name: string, path: string[]) => {
		for (const dep of graph.get(name) ?? []) {
			const at = path.indexOf(dep);
			if (at >= 0) found.push([...path.slice(at), dep]);
			else if (!done.has(dep)) visit(dep, [...path, dep]);
		}
		done.add(name);
	};
	for (const name of modules) if (!done.has(name)) visit(name, [name]);
	return found;
}

describe('worker modules', () => {
	it('import each other without cycles', () => {
		expect(modules).toContain('data-service.ts');
		expect(importsOf('validation-service.ts')).toContain('data-service.ts');
		expect(cycles()).toEqual([]);
	});
});
