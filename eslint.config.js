import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * The walls between the layers (ARCHITECTURE.md, "Walls"). One rule per wall: a file in `from`
 * may not import what `forbid` names. Imports are matched both as `$lib/<layer>/…` and as relative
 * paths climbing into a layer, so `../../db/x` is caught like `$lib/db/x`.
 */
const layer = (name) => `^(\\$lib/|(\\.\\./)+)(${name})(/|$)`;
const walls = [
	{
		name: 'core ↛ everything outside core',
		from: ['src/lib/core/**'],
		ignores: ['src/lib/core/**/*.test.ts', 'src/lib/core/**/test-*.ts'],
		forbid: [
			{ regex: layer('db|workers|engines|state|components'), message: 'core/ is pure logic: it imports nothing from db/, workers/, engines/, state/ or components/ (contracts live in core/contracts).' },
			{ regex: '^(svelte|dexie|comlink)(/|$)|^\\$app/|^node:', message: 'core/ runs in Node and in workers: no Svelte, Dexie, Comlink, SvelteKit or Node modules.' }
		]
	},
	{
		name: 'db ↛ engines, workers, state, components',
		from: ['src/lib/db/**'],
		forbid: [
			{ regex: layer('engines|workers|state|components'), message: 'db/ stores rows: it may import core/ only (row types are in core/contracts/rows).' },
			{ regex: '^(svelte|comlink)(/|$)', message: 'db/ has no Svelte or Comlink.' }
		]
	},
	{
		name: 'engines ↛ workers, db, state, components',
		from: ['src/lib/engines/**'],
		forbid: [{ regex: layer('workers|db|state|components'), message: 'engines/ implement core/contracts/engine: they import core/ only (no workers/, db/, state/ or components/).' }]
	},
	{
		name: 'workers ↛ state, components',
		from: ['src/lib/workers/**'],
		forbid: [{ regex: layer('state|components'), message: 'workers/ run off the page: no state/ or components/.' }]
	},
	{
		name: 'state ↛ components',
		from: ['src/lib/state/**'],
		forbid: [{ regex: layer('components'), message: 'state/ owns data and worker calls; components/ render it, never the other way round.' }]
	},
	{
		name: 'components and routes ↛ db, worker calls, Comlink',
		from: ['src/lib/components/**', 'src/routes/**'],
		forbid: [
			{ regex: layer('db'), message: 'Components do not touch the database: go through a state class (src/lib/state).' },
			{ regex: layer('workers'), allowTypeImports: true, message: 'Components do not call workers: a state class (src/lib/state) owns every worker call. Types may be imported.' },
			{ regex: '^(comlink|dexie)(/|$)', message: 'Components never use Comlink or Dexie: state classes and the bridge do.' }
		]
	}
];

export default ts.config(
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			'@typescript-eslint/no-explicit-any': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			// User text is never rendered as HTML.
			'svelte/no-at-html-tags': 'error'
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig } }
	},
	...walls.map((wall) => ({
		name: `wall: ${wall.name}`,
		files: wall.from.flatMap((glob) => [`${glob}/*.ts`, `${glob}/*.svelte`, `${glob}/*.js`]),
		...(wall.ignores ? { ignores: wall.ignores } : {}),
		rules: {
			'@typescript-eslint/no-restricted-imports': [
				'error',
				{ patterns: wall.forbid.map(({ regex, message, allowTypeImports }) => ({ regex, message, ...(allowTypeImports ? { allowTypeImports } : {}) })) }
			]
		}
	})),
	{ ignores: ['.tmp/', 'build/', '.svelte-kit/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench-data/'] }
);
