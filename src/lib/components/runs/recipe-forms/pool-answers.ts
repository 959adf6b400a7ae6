/**
 * Prompt-pool answers' form: a pool, how many prompts, the rating mix, and the voice (an identity
 * document or a system prompt typed here).
 */
import { DEFAULT_MIX } from '$lib/core/recipes/prompt-pool';
import type { NumberText } from '../run-form';
import PoolAnswersParams from '../PoolAnswersParams.svelte';
import { defineRecipeForm, parseBestOf, wholeNumber } from './form';
import { mixRows, parseMix, type MixRow } from './mix';

export type { MixRow };

export interface PoolAnswersFields {
	poolId: string;
	n: NumberText;
	/** Rating strata; empty = sample the whole pool uniformly (unrated prompts included). */
	mix: MixRow[];
	/** Answer in an identity's voice, or with a system prompt typed here. */
	voice: 'identity' | 'system';
	identityId: string;
	systemPrompt: string;
	/** Best-of-N: answers per prompt (1 = one). */
	bestOf: NumberText;
}

export const poolAnswersForm = defineRecipeForm({
	recipeId: 'pool-answers',
	defaults: (): PoolAnswersFields => ({ poolId: '', n: '100', mix: mixRows(DEFAULT_MIX), voice: 'identity', identityId: '', systemPrompt: '', bestOf: '1' }),
	prefill(fields: PoolAnswersFields, query) {
		const pool = query.get('pool');
		const identity = query.get('identity');
		if (pool) fields.poolId = pool;
		if (identity) fields.identityId = identity;
	},
	params(f: PoolAnswersFields, errors) {
		if (!f.poolId) errors.poolId = 'Choose a prompt pool.';
		const n = wholeNumber(f.n, 1, 1_000_000);
		if (n === null) errors.n = 'The number of prompts is a whole number of at least 1.';
		const mix = parseMix(f.mix);
		if (!mix.ok) Object.assign(errors, mix.errors);
		const bestOf = parseBestOf(f.bestOf, errors);
		if (f.voice === 'identity' && !f.identityId) errors.identityId = 'Choose an identity document, or answer with a system prompt.';
		if (f.voice === 'system' && !f.systemPrompt.trim()) errors.systemPrompt = 'Write the system prompt the answers are written with.';
		return () => ({
			poolId: f.poolId,
			n,
			mix: mix.ok ? mix.value : [],
			...(f.voice === 'identity' ? { identityId: f.identityId } : { systemPrompt: f.systemPrompt.trim() }),
			...(bestOf && bestOf > 1 ? { bestOf } : {})
		});
	},
	component: PoolAnswersParams,
	props: ({ sources }) => ({ pools: sources.pools.rows, identities: sources.identities.rows })
});
