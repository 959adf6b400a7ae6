/**
 * Repairs for what the dataset's training target needs (its template findings): a system prompt
 * merged into the first user turn for templates without a system role, reasoning of earlier turns
 * dropped (or kept, one entry per reasoning turn), and conversations over max_seq_len split or
 * truncated at turn boundaries. The last two count tokens under the target's template through
 * `ctx.templateBudget`; without a target they change nothing.
 */
import type { Entry, Message } from '../model';
import { canonicalRole } from '../validation/inspect';
import { withMessages } from './entry-update';
import type { ExpandingRepair, Repair, RepairContext, TemplateBudget } from './types';

function roleOfMessage(message: Message): string | null {
	return typeof message.role === 'string' ? canonicalRole(message.role) : null;
}

/** Gemma's own join: the system text, a blank line, the first user turn. */
const SYSTEM_JOIN = '\n\n';

export const mergeSystemIntoFirstUser: Repair = {
	id: 'merge-system-into-first-user',
	title: 'Merge the system prompt into the first user turn',
	description:
		'For templates without a system role (Gemma): each system message moves to the top of the next user turn, followed by a blank line, as the template renders it. A system message with no user turn after it, or next to non-text content, stays.',
	kind: 'suggested',
	fixes: ['template-system-merged', 'template-refused'],
	apply(entry) {
		const messages = entry.messages;
		const merged: Message[] = [];
		let held: Message[] = [];
		let changed = false;
		for (const message of messages) {
			const role = roleOfMessage(message);
			if (role === 'system' && typeof message.content === 'string') {
				held.push(message);
				continue;
			}
			if (role === 'user' && typeof message.content === 'string' && held.length > 0) {
				const texts = held.map((m) => (m.content as string).trim()).filter((text) => text !== '');
				merged.push(texts.length === 0 ? message : { ...message, content: [...texts, message.content].join(SYSTEM_JOIN) });
				held = [];
				changed = true;
				continue;
			}
			// A system message before anything but a text user turn waits for the next one, in its place.
			if (role === 'user') {
				merged.push(...held);
				held = [];
			}
			merged.push(message);
		}
		merged.push(...held);
		return changed ? withMessages(entry, merged) : entry;
	}
};

const THINK_BLOCK = /<think>[\s\S]*?<\/think>\s*/g;
const REASONING_FIELDS = ['thinking', 'reasoning_content'] as const;

function lastUserIndex(messages: readonly Message[]): number {
	for (let i = messages.length - 1; i >= 0; i--) if (roleOfMessage(messages[i]) === 'user') return i;
	return -1;
}

function hasReasoning(message: Message): boolean {
	if (typeof message.content === 'string' && message.content.includes('<think>') && /<think>[\s\S]*?<\/think>/.test(message.content)) return true;
	return REASONING_FIELDS.some((field) => typeof message[field] === 'string' && (message[field] as string).trim() !== '');
}

function withoutReasoning(message: Message): Message {
	const out: Message = { ...message };
	if (typeof out.content === 'string') out.content = out.content.replace(THINK_BLOCK, '');
	for (const field of REASONING_FIELDS) delete out[field];
	return out;
}

/** Indices of the assistant turns whose reasoning templates such as Qwen3's drop: those before the last user turn. */
function earlierReasoningTurns(messages: readonly Message[]): number[] {
	const lastUser = lastUserIndex(messages);
	const turns: number[] = [];
	for (let i = 0; i < lastUser; i++) if (roleOfMessage(messages[i]) === 'assistant' && hasReasoning(messages[i])) turns.push(i);
	return turns;
}

function dropReasoningAt(entry: Entry, turns: readonly number[]): Entry {
	if (turns.length === 0) return entry;
	const drop = new Set(turns);
	return withMessages(
		entry,
		entry.messages.map((message, i) => (drop.has(i) ? withoutReasoning(message) : message))
	);
}

export const dropEarlierThink: Repair = {
	id: 'drop-earlier-think',
	title: 'Drop the reasoning of earlier turns',
	description:
		'Removes the <think> blocks (and thinking / reasoning_content fields) of assistant turns before the last user message, which templates such as Qwen3 and gpt-oss drop anyway: the data then reads as the model is trained. The last turn keeps its reasoning.',
	kind: 'suggested',
	fixes: ['template-think-removed'],
	apply(entry) {
		return dropReasoningAt(entry, earlierReasoningTurns(entry.messages));
	}
};

/** Part `part` (1-based, > 1) of an entry cut into several: a new id, the tags, and where it came from. */
function laterPart(source: Entry, messages: Message[], part: number, ctx: RepairContext): Entry {
	const piece = withMessages(source, messages);
	return { ...piece, id: ctx.splitId(source.id, part), tags: [...source.tags], meta: { ...source.meta, splitFrom: source.id } };
}

export const keepThinkOneEntryPerTurn: ExpandingRepair = {
	id: 'keep-think-one-entry-per-turn',
	title: 'Keep the reasoning: one entry per reasoning turn',
	description:
		'Templates such as Qwen3 keep only the last turn\'s reasoning. This adds, for each earlier turn with reasoning, an entry of the conversation up to that turn (which then ends on it and keeps its <think> block); the entry itself loses the reasoning of its earlier turns, now trained in the new entries. Earlier answers appear in several entries.',
	kind: 'suggested',
	fixes: ['template-think-removed'],
	apply(entry, ctx) {
		const turns = earlierReasoningTurns(entry.messages);
		if (turns.length === 0) return [entry];
		const parts = turns.map((turn, k) => {
			const prefix = { ...entry, messages: entry.messages.slice(0, turn + 1) };
			return laterPart(entry, dropReasoningAt(prefix, earlierReasoningTurns(prefix.messages)).messages, k + 2, ctx);
		});
		return [dropReasoningAt(entry, turns), ...parts];
	}
};

/**
 * The conversation cut at turn boundaries: leading system messages, then segments that each start
 * at a user turn and end on the assistant turn before the next user turn (the last one may end on
 * something else).
 */
function turnSegments(messages: readonly Message[]): { system: Message[]; segments: Message[][] } {
	let start = 0;
	while (start < messages.length && roleOfMessage(messages[start]) === 'system') start++;
	const segments: Message[][] = [];
	let current: Message[] = [];
	for (let i = start; i < messages.length; i++) {
		if (current.length > 0 && roleOfMessage(messages[i]) === 'user' && roleOfMessage(messages[i - 1]) === 'assistant') {
			segments.push(current);
			current = [];
		}
		current.push(messages[i]);
	}
	if (current.length > 0) segments.push(current);
	return { system: messages.slice(0, start), segments };
}

/** The segment without what follows its last assistant turn; null when it has none. */
function endingOnAssistant(segment: Message[]): Message[] | null {
	let end = segment.length;
	while (end > 0 && roleOfMessage(segment[end - 1]) !== 'assistant') end--;
	return end === 0 ? null : segment.slice(0, end);
}

interface OverBudget {
	budget: TemplateBudget;
	system: Message[];
	segments: Message[][];
	tokens(messages: Message[]): number | null;
}

/** The entry's segments when it is over the target's max_seq_len (null: within it, no target, or refused). */
function overBudget(entry: Entry, ctx: RepairContext): OverBudget | null {
	const budget = ctx.templateBudget;
	if (!budget) return null;
	const total = budget.countTokens(entry);
	if (total === null || total <= budget.maxSeqLen) return null;
	const { system, segments } = turnSegments(entry.messages);
	const last = segments.length > 0 ? endingOnAssistant(segments[segments.length - 1]) : null;
	// A question with no answer at the end trains nothing and may not end a part.
	if (segments.length > 0) {
		if (last === null) segments.pop();
		else segments[segments.length - 1] = last;
	}
	if (segments.length === 0) return null;
	return { budget, system, segments, tokens: (messages) => budget.countTokens({ messages, extra: entry.extra }) };
}

export const splitToTemplateBudget: ExpandingRepair = {
	id: 'split-to-template-budget',
	title: 'Split at turn boundaries to fit max_seq_len',
	description:
		'Cuts a conversation longer than the target\'s max_seq_len (counted under its chat template) into entries that each fit, each starting at a user turn with a copy of the system prompt and ending on an assistant turn. A question left unanswered at the end is dropped; one exchange longer than max_seq_len on its own stays over it. The first part keeps the entry\'s id; the others get new ids and remember where they came from (meta.splitFrom).',
	kind: 'suggested',
	fixes: ['template-over-max-seq-len'],
	apply(entry, ctx) {
		const over = overBudget(entry, ctx);
		if (!over) return [entry];
		const parts: Message[][] = [];
		let current: Message[] = [];
		for (const segment of over.segments) {
			if (current.length === 0) {
				current = [...segment];
				continue;
			}
			const candidate = [...current, ...segment];
			const tokens = over.tokens([...over.system, ...candidate]);
			if (tokens !== null && tokens <= over.budget.maxSeqLen) current = candidate;
			else {
				parts.push(current);
				current = [...segment];
			}
		}
		parts.push(current);
		if (parts.length === 1) return [entry];
		return parts.map((messages, i) => (i === 0 ? withMessages(entry, [...over.system, ...messages]) : laterPart(entry, [...over.system, ...messages], i + 1, ctx)));
	}
};

export const truncateToTemplateBudget: Repair = {
	id: 'truncate-to-template-budget',
	title: 'Truncate at a turn boundary to fit max_seq_len',
	description:
		'Drops the latest turns of a conversation longer than the target\'s max_seq_len (counted under its chat template) until it fits, always ending on an assistant turn. The dropped turns are gone from the working copy (Undo brings them back). A first exchange longer than max_seq_len on its own is left as it is.',
	kind: 'suggested',
	fixes: ['template-over-max-seq-len'],
	apply(entry, ctx) {
		const over = overBudget(entry, ctx);
		if (!over) return entry;
		const prefix = (count: number) => [...over.system, ...over.segments.slice(0, count).flat()];
		const fits = (count: number) => {
			const tokens = over.tokens(prefix(count));
			return tokens !== null && tokens <= over.budget.maxSeqLen;
		};
		// The longest run of whole segments that fits (tokens grow with every segment: binary search).
		let low = 0;
		let high = over.segments.length;
		while (low < high) {
			const mid = Math.ceil((low + high) / 2);
			if (fits(mid)) low = mid;
			else high = mid - 1;
		}
		if (low === 0) return entry;
		const messages = prefix(low);
		return messages.length === entry.messages.length ? entry : withMessages(entry, messages);
	}
};

export const TEMPLATE_REPAIRS: readonly Repair[] = [mergeSystemIntoFirstUser, dropEarlierThink, truncateToTemplateBudget];
export const TEMPLATE_EXPANDING_REPAIRS: readonly ExpandingRepair[] = [keepThinkOneEntryPerTurn, splitToTemplateBudget];
