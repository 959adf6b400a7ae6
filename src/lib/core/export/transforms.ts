/**
 * Export-time transforms: pure functions over an entry (the input is never mutated; an unchanged
 * entry is returned as the same object). `applyTransforms` runs them in this fixed order:
 *
 * 1. system prompt: `include` (default) or `omit`, which drops the leading system message(s).
 *    Later system messages (scene directions in a roleplay) are content and stay. First, so the
 *    later steps do not look at text that will not be written.
 * 2. name macros: `{{char}}` / `<BOT>` and `{{user}}` / `<USER>` (see `macros.ts`) in every
 *    message's text and in `{type: 'text', text}` content parts. With `fromEntryCharacters`, the
 *    entry's own `characters.assistant` / `characters.user` take precedence over the given names.
 * 3. think policy, on assistant messages with text (tool-call turns with null content are exempt):
 *    `keep` (default); `strip` removes well-formed `<think>` blocks and excludes the entry when a
 *    block is malformed or nothing is left of an answer; `require` excludes entries whose assistant
 *    messages do not pass ISF's strict rules (or that have no assistant text at all). Last, so it
 *    judges the text that will be written.
 *
 * A changed entry gets its content hash recomputed, so a Skein export of it stays consistent.
 */
import type { Entry, Message } from '../model';
import { hashMessages } from '../hash';
import { hasKey, isRecord } from '../json-safety';
import { substituteNameMacros, type MacroNames } from './macros';
import { describeMessage, hasToolCalls } from './message-fields';
import { skip, type SkipReason } from './skip-reason';
import { checkRequiredThinking, stripThinking } from './think-tags';

export const THINK_POLICIES = ['keep', 'strip', 'require'] as const;
export type ThinkPolicy = (typeof THINK_POLICIES)[number];
export type SystemPromptPolicy = 'include' | 'omit';

export interface NameSubstitution extends MacroNames {
	/** Prefer the entry's `characters.assistant` / `characters.user` when present. */
	fromEntryCharacters?: boolean;
}

export interface TransformOptions {
	systemPrompt?: SystemPromptPolicy;
	/** Absent: macros are left as they are. */
	names?: NameSubstitution;
	think?: ThinkPolicy;
}

export type TransformOutcome = { kind: 'kept'; entry: Entry; changes: string[] } | { kind: 'excluded'; reason: SkipReason };

/** The order `applyTransforms` runs the steps in (for the report and the docs). */
export const TRANSFORM_ORDER = ['system-prompt', 'names', 'think'] as const;

export const CHANGE_SYSTEM_OMITTED = 'system prompt omitted';
export const CHANGE_NAMES_SUBSTITUTED = 'name macros replaced';
export const CHANGE_THINKING_STRIPPED = 'thinking stripped';

function withMessages(entry: Entry, messages: Message[]): Entry {
	return { ...entry, messages, hash: hashMessages(messages) };
}

/** Drops the leading system message(s). */
export function omitSystemPrompt(entry: Entry): Entry {
	let first = 0;
	while (first < entry.messages.length && entry.messages[first].role === 'system') first++;
	return first === 0 ? entry : withMessages(entry, entry.messages.slice(first));
}

function substituteInContent(content: Message['content'], names: MacroNames): Message['content'] {
	if (typeof content === 'string') return substituteNameMacros(content, names);
	if (!Array.isArray(content)) return content;
	let changed = false;
	const parts = content.map((part) => {
		if (!isRecord(part) || part.type !== 'text' || typeof part.text !== 'string') return part;
		const text = substituteNameMacros(part.text, names);
		if (text === part.text) return part;
		changed = true;
		return { ...part, text };
	});
	return changed ? parts : content;
}

/** Replaces the name macros for which a name is known. */
export function substituteNames(entry: Entry, substitution: NameSubstitution): Entry {
	const characters = substitution.fromEntryCharacters ? entry.characters : undefined;
	const own = (key: string): string | undefined => (characters !== undefined && hasKey(characters, key) ? characters[key] : undefined);
	const names: MacroNames = { char: own('assistant') ?? substitution.char, user: own('user') ?? substitution.user };
	if (names.char === undefined && names.user === undefined) return entry;
	let messages: Message[] | null = null;
	for (let i = 0; i < entry.messages.length; i++) {
		const message = entry.messages[i];
		const content = substituteInContent(message.content, names);
		if (content === message.content) continue;
		messages ??= entry.messages.slice();
		messages[i] = { ...message, content };
	}
	return messages === null ? entry : withMessages(entry, messages);
}

function excluded(index: number, message: Message, code: SkipReason['code'], detail: string): TransformOutcome {
	return { kind: 'excluded', reason: skip(code, `${describeMessage(index, message)}: ${detail}`) };
}

/** The think-tag policy over the assistant messages. */
export function applyThinkPolicy(entry: Entry, policy: ThinkPolicy): TransformOutcome {
	if (policy === 'keep') return { kind: 'kept', entry, changes: [] };
	let messages: Message[] | null = null;
	let checked = 0;
	for (let i = 0; i < entry.messages.length; i++) {
		const message = entry.messages[i];
		if (message.role !== 'assistant' || message.content === null) continue;
		if (typeof message.content !== 'string') {
			if (policy === 'require') return excluded(i, message, 'think-missing', 'structured content has no <think> block');
			continue;
		}
		checked++;
		// A turn that calls tools answers with its calls: reasoning alone before them is complete.
		const calls = hasToolCalls(message);
		if (policy === 'require') {
			const problem = checkRequiredThinking(message.content);
			if (problem !== null && !(calls && problem.code === 'think-empty-response')) return excluded(i, message, problem.code, problem.detail);
			continue;
		}
		const stripped = stripThinking(message.content);
		if ('code' in stripped) return excluded(i, message, stripped.code, stripped.detail);
		if (stripped.text === message.content) continue;
		const empty = stripped.text.trim() === '';
		if (empty && !calls) return excluded(i, message, 'think-empty-response', 'nothing is left once the thinking is stripped');
		messages ??= entry.messages.slice();
		messages[i] = { ...message, content: empty ? null : stripped.text };
	}
	if (policy === 'require' && checked === 0) {
		return { kind: 'excluded', reason: skip('think-missing', 'no assistant text with a <think> block') };
	}
	if (messages === null) return { kind: 'kept', entry, changes: [] };
	return { kind: 'kept', entry: withMessages(entry, messages), changes: [CHANGE_THINKING_STRIPPED] };
}

/** All transforms, in `TRANSFORM_ORDER`. */
export function applyTransforms(entry: Entry, options: TransformOptions = {}): TransformOutcome {
	const changes: string[] = [];
	let current = entry;
	if (options.systemPrompt === 'omit') {
		const next = omitSystemPrompt(current);
		if (next !== current) changes.push(CHANGE_SYSTEM_OMITTED);
		current = next;
	}
	if (options.names !== undefined) {
		const next = substituteNames(current, options.names);
		if (next !== current) changes.push(CHANGE_NAMES_SUBSTITUTED);
		current = next;
	}
	const thought = applyThinkPolicy(current, options.think ?? 'keep');
	if (thought.kind === 'excluded') return thought;
	return { kind: 'kept', entry: thought.entry, changes: [...changes, ...thought.changes] };
}
