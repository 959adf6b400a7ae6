/**
 * In-voice answers to a prompt pool (ISF's cubsfan `wildchat-training`, with its lessons: a mix of
 * ratings, not only the open prompts). The run service samples the pool with `planPoolSample`
 * (params `n` and `mix`, seeded by the run seed) and passes only the chosen items; each is one
 * request to the identity model.
 */
import { z } from 'zod';
import { ask, askAll, RetryableAnswerError, TaskError } from '../runtime/task';
import { BestOfSchema, candidateMeta, candidateSampling } from './best-of';
import { claimedIdentity } from './identity-assertions';
import { identityDocumentText, identitySystemPrompt, otherIdentitiesOf, otherMakersOf, readVoiceAnswer, rehearseInVoice, SamplingOverrideSchema, ThinkingPolicySchema } from './identity-document';
import { voiceRequest } from './identity-qa';
import { DEFAULT_MIX } from './prompt-pool';
import type { DraftSample, Recipe, ResolvedSources, SourceRef } from './recipe';
import { StratumSchema, type IdentityDocument } from './sources';

export const PoolAnswersParamsSchema = z
	.object({
		/** Answer as this identity (its system prompt)… */
		identityId: z.string().min(1).optional(),
		/** …or with this system prompt; neither = no system prompt. */
		systemPrompt: z.string().optional(),
		poolId: z.string().min(1),
		/** Items to sample (the run service plans the sample with `planPoolSample`). */
		n: z.number().int().min(1).max(1_000_000).default(200),
		mix: z.array(StratumSchema).default(DEFAULT_MIX),
		answerSampling: SamplingOverrideSchema.optional(),
		thinking: ThinkingPolicySchema.default('keep'),
		/** Best-of-N: answers per prompt, for the judge to score (best-of.ts). */
		bestOf: BestOfSchema
	})
	.refine((params) => !(params.identityId && params.systemPrompt?.trim()), { message: 'Choose an identity or a system prompt, not both.', path: ['systemPrompt'] });
export type PoolAnswersParams = z.infer<typeof PoolAnswersParamsSchema>;

export interface PoolAnswerInput {
	/** Position of the item in the imported pool. */
	poolIndex: number;
	text: string;
	rating: number | null;
}

function identityOf(sources: ResolvedSources, params: PoolAnswersParams): IdentityDocument | undefined {
	if (!params.identityId) return undefined;
	const doc = sources.identities[params.identityId];
	if (!doc) throw new TaskError('missing-source', `The identity document ${params.identityId} was not found.`);
	return doc;
}

function systemOf(doc: IdentityDocument | undefined, params: PoolAnswersParams): string {
	return doc ? identitySystemPrompt(doc) : (params.systemPrompt ?? '').trim();
}

const VERSION = 1;

export const poolAnswersRecipe: Recipe<PoolAnswersParams, PoolAnswerInput> = {
	id: 'pool-answers',
	label: 'Answers to a prompt pool',
	description: 'Answers a seeded, rating-stratified sample of a prompt pool in the identity’s voice.',
	version: VERSION,
	params: PoolAnswersParamsSchema,
	sources(params) {
		const refs: SourceRef[] = [];
		if (params.identityId) refs.push({ kind: 'identity', id: params.identityId });
		refs.push({ kind: 'pool', id: params.poolId });
		return refs;
	},
	// Each pick is its own input; the pool document is the picks' lines (split across blocks).
	streams: true,
	prepare(params, sources) {
		const doc = identityOf(sources, params);
		const pool = sources.pools[params.poolId];
		if (!pool) throw new TaskError('missing-source', `The prompt pool ${params.poolId} was not found.`);
		const items = pool.items.slice(0, params.n);
		const documents: Record<string, string> = {
			[`pool:${pool.name}`]: items.map((item) => `${item.index}\t${item.rating ?? ''}\t${item.text}`).join('\n')
		};
		if (doc) documents[`identity:${doc.name}`] = identityDocumentText(doc);
		else if (params.systemPrompt?.trim()) documents['system-prompt'] = params.systemPrompt.trim();
		return {
			inputs: items.map((item) => ({ id: `pool-${item.index}`, input: { poolIndex: item.index, text: item.text, rating: item.rating } })),
			documents,
			splitDocuments: [`pool:${pool.name}`],
			definition: { recipe: 'pool-answers', version: VERSION, n: params.n, mix: params.mix, answerSampling: params.answerSampling ?? null, thinking: params.thinking, ...(params.bestOf > 1 ? { bestOf: params.bestOf } : {}) }
		};
	},
	task(params, sources, settings) {
		const doc = identityOf(sources, params);
		const system = systemOf(doc, params);
		const others = doc ? otherIdentitiesOf(doc) : [];
		const makers = doc ? otherMakersOf(doc) : [];
		const sampling = params.answerSampling ?? settings.sampling;
		return async function* (input, context) {
			// All candidates in one parallel yield; one unusable answer drops that candidate only.
			const requests = Array.from({ length: params.bestOf }, (_, candidate) => voiceRequest(system, input.text, candidateSampling(sampling, settings.seed, candidate, params.bestOf)));
			const responses = params.bestOf === 1 ? [yield* ask(requests[0])] : yield* askAll(requests);
			const samples: DraftSample[] = [];
			const unusable: number[] = [];
			let reason = '';
			responses.forEach((response, candidate) => {
				const answer = readVoiceAnswer(response, params.thinking);
				if (!answer.ok) {
					unusable.push(candidate);
					reason = answer.reason;
					return;
				}
				// A leak is flagged, not retried: a prompt may legitimately ask for "I am Claude" in a story.
				const leaked = claimedIdentity(answer.answer, doc?.name ?? '', others, makers);
				if (leaked) context.note({ level: 'warn', kind: 'identity-leak', message: `${params.bestOf > 1 ? `Answer ${candidate + 1}: the` : 'The'} answer says it is ${leaked}.`, data: { other: leaked } });
				samples.push({
					messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: input.text }, { role: 'assistant', content: answer.content }],
					tags: ['generated', 'pool-answer'],
					meta: { recipe: 'pool-answers', poolId: params.poolId, rating: input.rating, poolIndex: input.poolIndex, ...candidateMeta(candidate, params.bestOf) }
				});
			});
			if (!samples.length) throw new RetryableAnswerError(reason);
			if (unusable.length) {
				context.unusable(reason, unusable);
				context.note({ level: 'warn', kind: 'candidate-dropped', message: `${unusable.length} of ${params.bestOf} answers could not be used (${reason}); kept ${samples.length}.`, data: { dropped: unusable.length } });
			}
			return params.bestOf > 1 ? samples : samples[0];
		};
	},
	summarize: (outcome) => [{ label: 'Rating', value: outcome.input.rating === null ? 'unrated' : String(outcome.input.rating), ...(outcome.input.rating !== null ? { number: outcome.input.rating } : {}) }],
	recordLabel: (input) => {
		const text = input.text.replace(/\s+/g, ' ');
		return `Prompt ${input.poolIndex + 1}${input.rating !== null ? ` (${input.rating})` : ''}: ${text.length > 50 ? `${text.slice(0, 50)}…` : text}`;
	},
	rehearse: (request, random) => rehearseInVoice(request, random)
};
