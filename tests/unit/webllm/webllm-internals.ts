/**
 * web-llm 0.2.86's own code, for tests that must decide outcomes the way web-llm does: the XGrammar
 * it bundles (which compiles response_format), the random-number generator its sampler seeds, and
 * its chat request validator.
 *
 * The package exports the validator but not the bundled XGrammar or tvmjs, and its emscripten
 * glue breaks under Node's module loader (it calls `createRequire` on a placeholder path). So the
 * installed lib/index.js is copied once to a temp file with the Node branch switched off (the
 * embedded wasm then loads from its data URL, as in a browser) and the two inner modules added to
 * its exports. Nothing is re-implemented: every function called is web-llm's.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const NODE_BRANCH = 'var ENVIRONMENT_IS_NODE=typeof process=="object"&&typeof process.versions=="object"&&typeof process.versions.node=="string";';

export interface XGrammarLike {
	Grammar: {
		fromJSONSchema(schema: string, anyWhitespace?: boolean, indent?: number, separators?: [string, string], strictMode?: boolean, maxWhitespaceCnt?: number): Promise<unknown>;
		fromEBNF(ebnf: string): Promise<unknown>;
	};
	Testings: {
		_jsonSchemaToEBNF(schema: string, anyWhitespace?: boolean, indent?: number, separators?: [string, string], strictMode?: boolean, maxWhitespaceCnt?: number): Promise<string>;
		isGrammarAcceptString(grammar: unknown, input: string): Promise<boolean>;
	};
}

export interface RandomGeneratorLike {
	setSeed(seed: number): void;
	randomFloat(): number;
	nextInt(): number;
}

export interface WebLLMInternals {
	version: string;
	xgrammar: XGrammarLike;
	LinearCongruentialGenerator: new () => RandomGeneratorLike;
	/** web-llm's `postInitAndCheckFieldsChatCompletion(request, modelId, modelType?)`: throws what `chat.completions.create` would. */
	checkChatRequest(request: unknown, modelId: string): void;
	prebuiltAppConfig: { model_list: Array<{ model_id: string; overrides?: Record<string, unknown> }> };
}

let loaded: Promise<WebLLMInternals> | undefined;

export function webllmInternals(): Promise<WebLLMInternals> {
	loaded ??= (async () => {
		const require = createRequire(import.meta.url);
		const entry = require.resolve('@mlc-ai/web-llm');
		const libDir = dirname(entry);
		const { version } = JSON.parse(readFileSync(join(libDir, '..', 'package.json'), 'utf8')) as { version: string };
		const dir = join(tmpdir(), 'skein-webllm-internals');
		mkdirSync(dir, { recursive: true });
		// The suffix names this patch: change it when the patch changes, so no stale copy is reused.
		const file = join(dir, `web-llm-${version}-p1.mjs`);
		if (!existsSync(file)) {
			const source = readFileSync(entry, 'utf8');
			if (!source.includes(NODE_BRANCH)) throw new Error(`web-llm ${version}: its emscripten Node check changed; update tests/unit/webllm/webllm-internals.ts`);
			const patched =
				source
					.split(NODE_BRANCH)
					.join('var ENVIRONMENT_IS_NODE=false;')
					.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n') + '\nexport { libExports$1 as __xgrammar, libExports$2 as __tvmjs };\n';
			writeFileSync(`${file}.tmp${process.pid}`, patched);
			// Rename is atomic: parallel test files never import a half-written copy.
			(await import('node:fs')).renameSync(`${file}.tmp${process.pid}`, file);
		}
		const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
			__xgrammar: XGrammarLike;
			__tvmjs: { LinearCongruentialGenerator: new () => RandomGeneratorLike };
			postInitAndCheckFieldsChatCompletion: (request: unknown, modelId: string, modelType?: number) => void;
			prebuiltAppConfig: WebLLMInternals['prebuiltAppConfig'];
		};
		return {
			version,
			xgrammar: mod.__xgrammar,
			LinearCongruentialGenerator: mod.__tvmjs.LinearCongruentialGenerator,
			checkChatRequest: (request, modelId) => mod.postInitAndCheckFieldsChatCompletion(request, modelId, 0),
			prebuiltAppConfig: mod.prebuiltAppConfig
		};
	})();
	return loaded;
}
