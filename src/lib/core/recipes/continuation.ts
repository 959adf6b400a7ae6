/**
 * Multi-turn continuation and regeneration of existing entries (SPEC §8.3; the roleplay pipelines
 * of peers such as augmentoolkit, which alternate a user simulator and the character).
 *
 * - extend: k more exchanges. Each user turn is written by a user-simulator request (its system
 *   prompt says to write the next user message in the conversation's style; the conversation is
 *   given as text), each assistant turn by the voice (identity, custom system prompt, or the
 *   entry's own system prompt) with the conversation so far as messages.
 * - regenerate: the chosen assistant turns are answered again from the conversation up to them.
 */
import { z } from 'zod';
import type { ChatMessage, ChatRequest, Sampling } from '../contracts/engine';
import type { Entry, Message } from '../model';
import { ask, RetryableAnswerError, TaskError, type TaskContext, type TaskReply, type TaskYield } from '../runtime/task';
import { splitThink } from '../runtime/think';
import { identityDocumentText, identitySystemPrompt, readVoiceAnswer, rehearseInVoice, SamplingOverrideSchema, ThinkingPolicySchema } from './identity-document';
import { BestOfSchema, candidateMeta, candidateSampling } from './best-of';
import type { DraftSample, Recipe, ResolvedSources, SourceRef } from './recipe';
import type { IdentityDocument } from './sources';

export const DEFAULT_USER_SIMULATOR_PROMPT = [
	'You play the user in a conversation with an AI assistant.',
	"Given the conversation so far, write the user's next message. It follows naturally from the assistant's last reply: a follow-up question, a reaction, a correction or a new related request.",
	"Match the user's earlier messages: the same language, register, style and typical length.",
	'Write only the message itself: no quotes, no "User:" label, no commentary.'
].join('\n');

export const ContinuationParamsSchema = z
	.object({
		datasetId: z.string().min(1),
		/** The entries to continue, in this order; left out = every entry of the dataset (narrowed by `tag`). */
		entryIds: z.array(z.string().min(1)).min(1).optional(),
		/** Only entries with this tag (slug). */
		tag: z.string().optional(),
		mode: z.enum(['extend', 'regenerate']).default('extend'),
		/** Exchanges (user + assistant) to add in extend mode. */
		turns: z.number().int().min(1).max(20).default(1),
		/** Regenerate mode: the last assistant turn, or assistant turns by number (1 = the first assistant reply). */
		regenerateTurn: z.union([z.literal('last'), z.array(z.number().int().min(1)).min(1)]).default('last'),
		/** The voice: an identity's system prompt, or this system prompt; neither = the entry's own. */
		identityId: z.string().min(1).optional(),
		systemPrompt: z.string().optional(),
		userSimulatorPrompt: z.string().min(1).default(DEFAULT_USER_SIMULATOR_PROMPT),
		answerSampling: SamplingOverrideSchema.optional(),
		thinking: ThinkingPolicySchema.default('keep'),
		/** Best-of-N: continuations per entry, each written on its own, for the judge to score (best-of.ts). */
		bestOf: BestOfSchema
	})
	.refine((params) => !(params.identityId && params.systemPrompt?.trim()), { message: 'Choose an identity or a system prompt, not both.', path: ['systemPrompt'] });
export type ContinuationParams = z.infer<typeof ContinuationParamsSchema>;

export interface ContinuationInput {
	entryId: string;
	messages: ChatMessage[];
}

const ASSISTANT_ROLES = new Set(['assistant', 'gpt', 'model', 'bot', 'character', 'char']);

/** A stored message as a chat message: text parts joined, null (tool-call turns) as ''. */
export function chatMessageOf(message: Message): ChatMessage {
	const role = message.role === 'system' || message.role === 'user' || message.role === 'assistant' || message.role === 'tool' ? message.role : ASSISTANT_ROLES.has(message.role.toLowerCase()) ? 'assistant' : 'user';
	const { content } = message;
	let text = '';
	if (typeof content === 'string') text = content;
	else if (Array.isArray(content)) {
		const parts = content.flatMap((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? [(part as { text: string }).text] : []));
		text = parts.length ? parts.join('\n') : JSON.stringify(content);
	}
	return { role, content: text };
}

const CONVERSATION_OPEN = '<conversation>';
const CONVERSATION_CLOSE = '</conversation>';
/** The last line of every user-simulator request; rehearse() recognises the request by it. */
const NEXT_USER = 'Write the next user message.';

const LABELS: Record<ChatMessage['role'], string> = { system: 'SYSTEM', user: 'USER', assistant: 'ASSISTANT', tool: 'TOOL' };

/** The conversation as text for the user simulator (assistant thinking left out). */
export function transcriptOf(messages: readonly ChatMessage[]): string {
	const turns = messages.filter((message) => message.role !== 'system');
	if (!turns.length) return '(The conversation has not started yet.)';
	return turns.map((message) => `${LABELS[message.role]}: ${message.role === 'assistant' ? splitThink(message.content).answer : message.content}`).join('\n\n');
}

export function userSimulatorRequest(prompt: string, messages: readonly ChatMessage[], sampling: Sampling): ChatRequest {
	return {
		messages: [
			{ role: 'system', content: prompt },
			{ role: 'user', content: `${CONVERSATION_OPEN}\n${transcriptOf(messages)}\n${CONVERSATION_CLOSE}\n\n${NEXT_USER}` }
		],
		sampling
	};
}

/** The messages the voice answers from: its system prompt (or the entry's), earlier thinking removed. */
export function voiceContext(system: string | null, messages: readonly ChatMessage[]): ChatMessage[] {
	const turns = messages
		.filter((message) => system === null || message.role !== 'system')
		.map((message) => (message.role === 'assistant' ? { role: message.role, content: splitThink(message.content).answer } : message));
	return system ? [{ role: 'system', content: system }, ...turns] : turns;
}

/**
 * The simulated user's message: thinking, a "User:" label and wrapping quotes removed. A simulator
 * that carries on the transcript ("…\n\nASSISTANT: …") is cut before the turn it was not asked to
 * write; one that wrote only the assistant's turn gives '' (asked again).
 */
export function cleanUserTurn(content: string): string {
	let text = splitThink(content).answer.trim();
	const otherTurn = /^\s*\**(?:assistant|system|tool)\**\s*:/im.exec(text);
	if (otherTurn) text = text.slice(0, otherTurn.index);
	text = text.trim().replace(/^\**(?:user|human|me)\**\s*:\s*/i, '').trim();
	const quoted = /^["“](.*)["”]$/s.exec(text);
	if (quoted && !/["“”]/.test(quoted[1])) text = quoted[1].trim();
	return text;
}

function voiceOf(sources: ResolvedSources, params: ContinuationParams): { system: string | null; doc?: IdentityDocument } {
	if (params.identityId) {
		const doc = sources.identities[params.identityId];
		if (!doc) throw new TaskError('missing-source', `The identity document ${params.identityId} was not found.`);
		return { system: identitySystemPrompt(doc), doc };
	}
	const custom = params.systemPrompt?.trim();
	return { system: custom ? custom : null };
}

function entriesOf(sources: ResolvedSources, params: ContinuationParams): Entry[] {
	const all = sources.entries[params.datasetId] ?? [];
	const tag = params.tag?.trim().toLowerCase();
	const tagged = (entry: Entry) => !tag || entry.tags.some((candidate) => candidate.toLowerCase() === tag);
	if (!params.entryIds) return all.filter(tagged);
	const byId = new Map(all.map((entry) => [entry.id, entry]));
	const seen = new Set<string>();
	const out: Entry[] = [];
	for (const id of params.entryIds) {
		const entry = byId.get(id);
		if (entry && !seen.has(id) && tagged(entry)) {
			seen.add(id);
			out.push(entry);
		}
	}
	return out;
}

const VERSION = 1;

export const continuationRecipe: Recipe<ContinuationParams, ContinuationInput> = {
	id: 'continuation',
	label: 'Continue or regenerate conversations',
	description: 'Adds turns to chosen entries (a simulated user, then the voice) or regenerates chosen assistant turns.',
	version: VERSION,
	params: ContinuationParamsSchema,
	sources(params) {
		const refs: SourceRef[] = [params.entryIds ? { kind: 'dataset', id: params.datasetId, entryIds: params.entryIds } : { kind: 'dataset', id: params.datasetId }];
		if (params.identityId) refs.push({ kind: 'identity', id: params.identityId });
		return refs;
	},
	// Each entry is its own input and document (`entry:<id>`); the voice is the same for all.
	streams: true,
	prepare(params, sources) {
		const { system, doc } = voiceOf(sources, params);
		const entries = entriesOf(sources, params);
		const documents: Record<string, string> = {};
		for (const entry of entries) documents[`entry:${entry.id}`] = entry.messages.map((message) => `${message.role}: ${chatMessageOf(message).content}`).join('\n');
		if (doc) documents[`identity:${doc.name}`] = identityDocumentText(doc);
		else if (system) documents['system-prompt'] = system;
		return {
			inputs: entries.map((entry) => ({ id: `entry-${entry.id}`, input: { entryId: entry.id, messages: entry.messages.map(chatMessageOf) } })),
			documents,
			definition: {
				recipe: 'continuation',
				version: VERSION,
				mode: params.mode,
				tag: params.tag?.trim() || null,
				turns: params.mode === 'extend' ? params.turns : null,
				regenerateTurn: params.mode === 'regenerate' ? params.regenerateTurn : null,
				userSimulatorPrompt: params.mode === 'extend' ? params.userSimulatorPrompt : null,
				answerSampling: params.answerSampling ?? null,
				thinking: params.thinking,
				...(params.bestOf > 1 ? { bestOf: params.bestOf } : {})
			}
		};
	},
	task(params, sources, settings) {
		const { system } = voiceOf(sources, params);
		const baseAnswerSampling = params.answerSampling ?? settings.sampling;
		// One candidate: its own sampling seed for the voice and the user simulator when best-of-N.
		const candidateOf = async function* (input: ContinuationInput, context: TaskContext, candidate: number): AsyncGenerator<TaskYield, DraftSample | null, TaskReply> {
			const answerSampling = candidateSampling(baseAnswerSampling, settings.seed, candidate, params.bestOf);
			const userSampling = candidateSampling(settings.sampling, settings.seed, candidate, params.bestOf);
			const noteOnce = candidate === 0 ? context.note : () => undefined;
			// The sample: the voice's system prompt in place of the entry's, when one is chosen.
			const conversation: ChatMessage[] = system === null ? [...input.messages] : [{ role: 'system', content: system }, ...input.messages.filter((message) => message.role !== 'system')];
			const answer = async function* (upTo: ChatMessage[]): AsyncGenerator<TaskYield, string, TaskReply> {
				const response = yield* ask({ messages: voiceContext(system, upTo), sampling: answerSampling });
				const read = readVoiceAnswer(response, params.thinking);
				if (!read.ok) throw new RetryableAnswerError(read.reason);
				return read.content;
			};
			if (params.mode === 'extend') {
				let added = 0;
				const last = conversation[conversation.length - 1];
				if (last?.role === 'user') {
					noteOnce({ level: 'info', kind: 'answered-open-turn', message: 'The entry ended with a user turn; answered it first.' });
					conversation.push({ role: 'assistant', content: yield* answer(conversation) });
					added++;
				}
				for (let turn = 0; turn < params.turns; turn++) {
					const simulated = yield* ask(userSimulatorRequest(params.userSimulatorPrompt, conversation, userSampling));
					const userTurn = cleanUserTurn(simulated.content);
					if (!userTurn) throw new RetryableAnswerError('The user simulator wrote an empty message.', 'empty-user-turn');
					if (simulated.finishReason === 'length') throw new RetryableAnswerError('The user message was cut off (max_tokens reached).');
					conversation.push({ role: 'user', content: userTurn });
					conversation.push({ role: 'assistant', content: yield* answer(conversation) });
					added += 2;
				}
				const sample: DraftSample = {
					messages: conversation,
					tags: ['generated', 'continuation'],
					meta: { recipe: 'continuation', sourceEntryId: input.entryId, mode: 'extend', addedTurns: added, ...candidateMeta(candidate, params.bestOf) }
				};
				return sample;
			}
			// Regenerate: positions of the assistant turns, then the chosen ones in order.
			const assistantAt = conversation.flatMap((message, index) => (message.role === 'assistant' ? [index] : []));
			const wanted = params.regenerateTurn === 'last' ? (assistantAt.length ? [assistantAt.length] : []) : [...new Set(params.regenerateTurn)].sort((a, b) => a - b);
			const missing = wanted.filter((turn) => turn > assistantAt.length);
			if (missing.length || !assistantAt.length)
				noteOnce({
					level: 'warn',
					kind: 'turn-missing',
					message: assistantAt.length ? `The entry has ${assistantAt.length} assistant turns; turn ${missing.join(', ')} skipped.` : 'The entry has no assistant turn to regenerate.',
					data: { missing, assistantTurns: assistantAt.length }
				});
			const turns = wanted.filter((turn) => turn <= assistantAt.length);
			if (!turns.length) return null;
			const replaced: { turn: number; before: string }[] = [];
			for (const turn of turns) {
				const at = assistantAt[turn - 1];
				const content = yield* answer(conversation.slice(0, at));
				replaced.push({ turn, before: conversation[at].content });
				conversation[at] = { role: 'assistant', content };
			}
			const sample: DraftSample = {
				messages: conversation,
				tags: ['generated', 'continuation'],
				meta: { recipe: 'continuation', sourceEntryId: input.entryId, mode: 'regenerate', addedTurns: 0, regeneratedTurns: turns, replaced, ...candidateMeta(candidate, params.bestOf) }
			};
			return sample;
		};
		return async function* (input, context) {
			if (params.bestOf === 1) return yield* candidateOf(input, context, 0);
			// Candidates one after another: each is a conversation of its own (extend asks the simulator too).
			const samples: DraftSample[] = [];
			for (let candidate = 0; candidate < params.bestOf; candidate++) {
				const sample = yield* candidateOf(input, context, candidate);
				if (sample) samples.push(sample);
			}
			return samples;
		};
	},
	summarize(outcome) {
		const sample = outcome.samples[0];
		const added = Number(sample?.meta.addedTurns ?? 0);
		const regenerated = Array.isArray(sample?.meta.regeneratedTurns) ? sample.meta.regeneratedTurns.length : 0;
		return [
			{ label: 'Turns added', value: String(added), number: added },
			{ label: 'Turns regenerated', value: String(regenerated), number: regenerated }
		];
	},
	recordLabel: (input) => {
		const opening = input.messages.find((message) => message.role === 'user')?.content.replace(/\s+/g, ' ') ?? '';
		return `Entry ${input.entryId}${opening ? `: ${opening.length > 40 ? `${opening.slice(0, 40)}…` : opening}` : ''}`;
	},
	rehearse(request, random) {
		const user = request.messages[request.messages.length - 1]?.content ?? '';
		if (request.messages.length === 2 && user.endsWith(NEXT_USER)) return rehearseUserTurn(user, random);
		return rehearseInVoice(request, random);
	}
};

/** A canned follow-up that picks up a few words of the assistant's last reply. */
function rehearseUserTurn(user: string, random: () => number): string {
	const transcript = user.slice(user.indexOf(CONVERSATION_OPEN) + CONVERSATION_OPEN.length, user.lastIndexOf(CONVERSATION_CLOSE));
	const lastReply = transcript.split(/\n\n(?=ASSISTANT: )/).pop() ?? '';
	const words = lastReply.startsWith('ASSISTANT: ')
		? lastReply
				.slice('ASSISTANT: '.length)
				.replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
				.split(/\s+/)
				.filter((word) => word.length > 3)
		: [];
	const forms = ['Could you say more about {{w}}?', 'Interesting. What do you mean by {{w}}?', 'Thanks! And how does {{w}} fit in?', 'Hmm, I am not sure about {{w}}. Why?'];
	const form = forms[Math.floor(random() * forms.length)];
	const start = words.length ? Math.floor(random() * words.length) : 0;
	const phrase = words.length ? words.slice(start, start + 3).join(' ') : 'that';
	return form.replace('{{w}}', `"${phrase}"`);
}
