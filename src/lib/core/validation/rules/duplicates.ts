/**
 * Dataset-level rules: the same conversation twice (by content hash) and conversations that are
 * almost the same (MinHash/LSH, see near-duplicates.ts). Both stream: `add` per entry, findings
 * at `end`, so a worker can feed 100k entries block by block.
 */
import { hashMessages } from '../../hash';
import { preferenceKeyOf } from '../../formats/preference';
import type { Entry, Message } from '../../model';
import { canonicalRole, entryIdOf, isRecord, makeFinding, messagesOf, roleOf, textOf } from '../inspect';
import { NearDuplicateIndex } from '../near-duplicates';
import type { DatasetRule, DatasetRulePass, Finding } from '../types';

/** The entry's content hash; recomputed when the stored one is missing (older or raw records). */
export function contentHashOf(entry: Entry): string | null {
	if (isRecord(entry) && typeof entry.hash === 'string' && entry.hash !== '') return entry.hash;
	const messages = messagesOf(entry);
	if (messages === null || !messages.every((m) => isRecord(m) && typeof m.role === 'string')) return null;
	try {
		return hashMessages(messages as Message[]);
	} catch {
		return null;
	}
}

/** Top-level keys that change what an entry teaches besides its messages: the tool definitions. */
const TOOL_KEYS = ['tools', 'functions'] as const;

/** The tool definitions as comparable text ('' when none); a JSON-text tools column reads as its value. */
function toolsKeyOf(entry: Entry): string {
	if (!isRecord(entry)) return '';
	const extra = isRecord(entry.extra) ? entry.extra : null;
	let key = '';
	for (const name of TOOL_KEYS) {
		const raw = extra !== null && name in extra ? extra[name] : (entry as unknown as Record<string, unknown>)[name];
		if (raw === undefined || raw === null) continue;
		let value: unknown = raw;
		if (typeof raw === 'string') {
			try {
				value = JSON.parse(raw);
			} catch {
				value = raw.trim();
			}
		}
		if (Array.isArray(value) && value.length === 0) continue;
		key += `\u0000${name}:${JSON.stringify(value) ?? ''}`;
	}
	return key;
}

/**
 * What makes two entries the same: their messages (content hash), their tool definitions and
 * their preference data. Entries that differ only in the tools they offer teach different things
 * and are not duplicates.
 */
export function duplicateKeyOf(entry: Entry): string | null {
	const hash = contentHashOf(entry);
	if (hash === null) return null;
	return hash + toolsKeyOf(entry) + preferenceKeyOf(entry);
}

export const exactDuplicate: DatasetRule = {
	scope: 'dataset',
	id: 'exact-duplicate',
	title: 'Exact duplicate',
	description: 'Another entry has exactly the same messages (same content hash) and the same tools. Duplicates over-weight one example; removing them keeps the first and merges the tags.',
	defaultSeverity: 'warning',
	repair: 'remove-exact-duplicates',
	repairKind: 'suggested',
	begin(): DatasetRulePass {
		const firstByHash = new Map<string, string>();
		const findings: Finding[] = [];
		return {
			add(entry) {
				const hash = contentHashOf(entry);
				if (hash === null) return;
				const tools = toolsKeyOf(entry);
				const first = firstByHash.get(hash + tools);
				if (first === undefined) firstByHash.set(hash + tools, entryIdOf(entry));
				else findings.push(makeFinding(exactDuplicate, entry, `Same messages${tools === '' ? '' : ' and tools'} as entry ${first}.`));
			},
			end() {
				return findings;
			}
		};
	}
};

export const nearDuplicate: DatasetRule = {
	scope: 'dataset',
	id: 'near-duplicate',
	title: 'Near-duplicate',
	description:
		'Another entry is almost the same (estimated Jaccard similarity of 3-word shingles at or above the profile\'s threshold, default 0.8). System prompts are left out unless the profile includes them. Exact duplicates are reported by exact-duplicate instead.',
	defaultSeverity: 'info',
	repairKind: 'manual',
	begin(ctx): DatasetRulePass {
		const index = new NearDuplicateIndex({ threshold: ctx.nearDuplicateThreshold });
		const seenHashes = new Set<string>();
		const includeSystem = ctx.nearDuplicateIncludeSystem;
		return {
			add(entry) {
				const messages = messagesOf(entry);
				if (messages === null) return;
				const hash = contentHashOf(entry);
				if (hash !== null) {
					if (seenHashes.has(hash)) return;
					seenHashes.add(hash);
				}
				const texts: string[] = [];
				for (const message of messages) {
					if (!includeSystem) {
						const role = roleOf(message);
						if (role !== undefined && canonicalRole(role) === 'system') continue;
					}
					const text = textOf(message);
					if (text !== '') texts.push(text);
				}
				index.add(entryIdOf(entry), texts);
			},
			end() {
				const findings: Finding[] = [];
				for (const group of index.groups()) {
					const first = group.members[0];
					for (const member of group.members.slice(1)) {
						const percent = Math.round(member.similarity * 100);
						findings.push({
							...makeFinding(nearDuplicate, null, `About ${percent}% similar to entry ${first.id} (a group of ${group.members.length}).`),
							entryId: member.id
						});
					}
				}
				return findings;
			}
		};
	}
};

/** The user's side of an entry (every user message), lower-cased with whitespace collapsed. */
function promptKey(entry: Entry): string | null {
	const messages = messagesOf(entry);
	if (messages === null) return null;
	let prompt = '';
	for (const message of messages) {
		const role = roleOf(message);
		if (role === undefined || canonicalRole(role) !== 'user') continue;
		const text = textOf(message);
		prompt = prompt === '' ? text : prompt + '\n' + text;
	}
	const key = prompt.toLowerCase().replace(/\s+/g, ' ').trim();
	return key === '' ? null : key;
}

export const duplicatePrompt: DatasetRule = {
	scope: 'dataset',
	id: 'duplicate-prompt',
	title: 'Duplicate prompt, different answer',
	description:
		'Another entry asks exactly the same (user messages equal after lower-casing and collapsing spaces) but answers differently: the model learns two answers to one question, which blurs an identity or a voice. Keep the better one, or vary the prompt. Whole-entry duplicates are exact-duplicate\'s; preference pairs and labelled answers, which share prompts on purpose, are left out.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	begin(): DatasetRulePass {
		const firstByPrompt = new Map<string, { id: string; hash: string | null }>();
		const findings: Finding[] = [];
		return {
			add(entry) {
				// Preference data asks one prompt several times on purpose (pairs or labelled answers per prompt).
				if (isRecord(entry) && entry.preference !== undefined) return;
				const key = promptKey(entry);
				if (key === null) return;
				const hash = contentHashOf(entry);
				const first = firstByPrompt.get(key);
				if (first === undefined) firstByPrompt.set(key, { id: entryIdOf(entry), hash });
				else if (hash === null || hash !== first.hash) findings.push(makeFinding(duplicatePrompt, entry, `Same prompt as entry ${first.id}, with a different answer.`));
			},
			end() {
				return findings;
			}
		};
	}
};

export const DUPLICATE_RULES: readonly DatasetRule[] = [exactDuplicate, nearDuplicate, duplicatePrompt];
