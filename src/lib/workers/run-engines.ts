/**
 * The engine a run asks, built from its stored choice and the access the call brought: the
 * rehearsal engine (the recipe's canned answers), an endpoint (with the API key of this call
 * only), or a page engine (in-browser model, manual replies) reached through its Comlink proxy,
 * checked to be the one the run was started with.
 */
import type { Engine } from '$lib/core/contracts/engine';
import type { EngineAccess, RemoteEngine } from '$lib/core/contracts/run-api';
import type { AnyRecipe } from '$lib/core/recipes/recipe';
import { modelKeyOf } from '$lib/core/runtime/engine-choice';
import type { StoredRunRow } from '$lib/db/runs-repo';
import { EndpointEngine } from '$lib/engines/endpoint-engine';
import { RehearsalEngine, rehearsalReply } from '$lib/engines/rehearsal-engine';
import { RemoteEngineAdapter } from '$lib/engines/remote-engine-adapter';
import type { RunServiceOptions } from './run-context';

export type EngineResult = { ok: true; engine: Engine } | { ok: false; error: string };

export async function engineFor(run: Pick<StoredRunRow, 'engine' | 'concurrency'>, recipe: AnyRecipe, access: EngineAccess = {}, options: Pick<RunServiceOptions, 'testEngine' | 'fetch'> = {}): Promise<EngineResult> {
	const choice = run.engine;
	if (choice.kind === 'test') {
		// Judge requests get a verdict whichever recipe asked (the registry's recipes route them too).
		const reply = rehearsalReply(recipe);
		return { ok: true, engine: options.testEngine?.(choice, reply) ?? new RehearsalEngine(choice, reply) };
	}
	if (choice.kind === 'endpoint') {
		return {
			ok: true,
			engine: new EndpointEngine({
				baseUrl: choice.baseUrl,
				model: choice.model,
				label: choice.label,
				maxConcurrency: run.concurrency,
				structuredOutput: choice.structuredOutput ?? 'json_object',
				stream: choice.stream ?? false,
				...(access.apiKey ? { apiKey: access.apiKey } : {}),
				...(options.fetch ? { fetch: options.fetch } : {})
			})
		};
	}
	const missing = choice.kind === 'webllm' ? `Load the model ${choice.modelId} on the Engines page, then resume.` : 'Open the manual engine on the run page, then resume.';
	if (!access.remote) return { ok: false, error: missing };
	let described: Awaited<ReturnType<RemoteEngine['describe']>>;
	try {
		described = await access.remote.describe();
	} catch {
		return { ok: false, error: missing };
	}
	if (described.kind !== choice.kind || (choice.kind === 'webllm' && described.model !== choice.modelId)) {
		return { ok: false, error: choice.kind === 'webllm' ? `This run uses ${choice.modelId}, but ${described.model || 'another model'} is loaded. ${missing}` : missing };
	}
	return {
		ok: true,
		engine: new RemoteEngineAdapter(access.remote, modelKeyOf(choice, recipe), choice.label, choice.kind, described.supportsJsonSchema, choice.kind === 'webllm' ? choice.modelId : undefined)
	};
}

/**
 * The access a call brought, as the service uses it. Comlink turns only top-level arguments into
 * proxies: a page engine nested in `access` arrives as a lifeless copy (no methods), so it comes
 * as its own argument (`remote`) and a `remote` inside `access` counts only when it is callable.
 */
export function accessOf(access?: EngineAccess, remote?: RemoteEngine): EngineAccess {
	const callable = (value: unknown): value is RemoteEngine => {
		const engine = value as Partial<RemoteEngine> | null | undefined;
		return Boolean(engine) && typeof engine?.chat === 'function' && typeof engine?.describe === 'function' && typeof engine?.cancel === 'function';
	};
	const page = callable(remote) ? remote : callable(access?.remote) ? access?.remote : undefined;
	return { ...(typeof access?.apiKey === 'string' && access.apiKey ? { apiKey: access.apiKey } : {}), ...(page ? { remote: page } : {}) };
}
