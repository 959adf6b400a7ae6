/**
 * One streaming pass over a dataset's entries that counts everything that does not need a
 * tokenizer: entries, messages and characters (overall and per role), turns, system prompts,
 * tags, review states, exact duplicates and simple garbage signals. Memory is a few numbers per
 * entry plus one map entry per distinct system prompt, tag, content hash and prompt hash.
 */
import { hashText } from '../hash';
import { REVIEW_STATES, type Entry, type ReviewState } from '../model';
import { entryCharacterCount } from '../curation/filters';
import { excerpt, messageText, normalizeForExactMatch, roleName, userPromptText } from './entry-text';
import { integerHistogram, summarize, type HistogramBin, type Summary } from './stats';

export interface RoleStats {
	role: string;
	messages: number;
	characters: number;
	/** Entries with at least one message of this role. */
	entries: number;
}

export interface SystemPromptStats {
	/** The first characters of the prompt, for display and for a "contains" filter. */
	excerpt: string;
	length: number;
	count: number;
}

export interface TagStats {
	tag: string;
	count: number;
}

export interface Distribution {
	summary: Summary;
	histogram: HistogramBin[];
}

export interface GarbageCounts {
	/** Entries with a message whose content is empty or only whitespace (tool-call turns excepted). */
	emptyMessages: number;
	/** Entries with no assistant message: nothing to train on. */
	noAssistant: number;
	/** Entries with no messages at all. */
	noMessages: number;
	/** Entries with any of the above (counted once). */
	anyProblem: number;
}

export interface StructureAnalysis {
	entries: number;
	messages: number;
	roles: RoleStats[];
	messagesPerEntry: Distribution;
	/** User → assistant exchanges per entry. */
	exchangesPerEntry: Distribution;
	charactersPerEntry: Distribution;
	systemPrompts: {
		distinct: number;
		entriesWithout: number;
		top: SystemPromptStats[];
	};
	tags: { distinct: number; untagged: number; top: TagStats[] };
	review: Record<ReviewState, number>;
	exactDuplicates: { groups: number; redundantEntries: number };
	prompts: {
		/** Entries with a user message. */
		withPrompt: number;
		/** Entries whose prompt equals (after lower-casing and collapsing spaces) an earlier entry's. */
		exactRedundant: number;
	};
	garbage: GarbageCounts;
}

const TOP_SYSTEM_PROMPTS = 10;
const TOP_TAGS = 30;
const SYSTEM_EXCERPT = 200;

export class StructureCollector {
	private entries = 0;
	private messages = 0;
	private readonly roles = new Map<string, RoleStats>();
	private readonly messageCounts: number[] = [];
	private readonly exchangeCounts: number[] = [];
	private readonly characterCounts: number[] = [];
	private readonly systemPrompts = new Map<string, SystemPromptStats>();
	private withoutSystem = 0;
	private readonly tags = new Map<string, number>();
	private untagged = 0;
	private readonly review: Record<ReviewState, number> = { draft: 0, accepted: 0, rejected: 0 };
	private readonly contentHashes = new Map<string, number>();
	private readonly promptHashes = new Set<string>();
	private withPrompt = 0;
	private promptRedundant = 0;
	private readonly garbage: GarbageCounts = { emptyMessages: 0, noAssistant: 0, noMessages: 0, anyProblem: 0 };

	add(entry: Entry): void {
		this.entries++;
		this.messages += entry.messages.length;
		this.messageCounts.push(entry.messages.length);
		this.characterCounts.push(entryCharacterCount(entry));

		let exchanges = 0;
		let userWaiting = false;
		let hasAssistant = false;
		let hasEmpty = false;
		let systemPrompt: string | null = null;
		const rolesSeen = new Set<string>();
		for (const message of entry.messages) {
			const role = roleName(message.role);
			const text = messageText(message);
			let stats = this.roles.get(role);
			if (!stats) this.roles.set(role, (stats = { role, messages: 0, characters: 0, entries: 0 }));
			stats.messages++;
			stats.characters += typeof message.content === 'string' ? message.content.length : text.length;
			if (!rolesSeen.has(role)) {
				rolesSeen.add(role);
				stats.entries++;
			}
			if (role === 'user') userWaiting = true;
			else if (role === 'assistant') {
				hasAssistant = true;
				if (userWaiting) exchanges++;
				userWaiting = false;
			} else if (role === 'system' && systemPrompt === null) systemPrompt = text;
			if (text.trim() === '' && message.tool_calls === undefined && !Array.isArray(message.content)) hasEmpty = true;
		}
		this.exchangeCounts.push(exchanges);

		if (systemPrompt === null) this.withoutSystem++;
		else {
			const key = hashText(systemPrompt);
			const known = this.systemPrompts.get(key);
			if (known) known.count++;
			else this.systemPrompts.set(key, { excerpt: excerpt(systemPrompt, SYSTEM_EXCERPT), length: systemPrompt.length, count: 1 });
		}

		if (entry.tags.length === 0) this.untagged++;
		for (const tag of new Set(entry.tags)) this.tags.set(tag, (this.tags.get(tag) ?? 0) + 1);
		this.review[entry.meta.review] = (this.review[entry.meta.review] ?? 0) + 1;
		this.contentHashes.set(entry.hash, (this.contentHashes.get(entry.hash) ?? 0) + 1);

		const prompt = userPromptText(entry);
		if (prompt.trim() !== '') {
			this.withPrompt++;
			const key = hashText(normalizeForExactMatch(prompt));
			if (this.promptHashes.has(key)) this.promptRedundant++;
			else this.promptHashes.add(key);
		}

		const noMessages = entry.messages.length === 0;
		if (noMessages) this.garbage.noMessages++;
		if (!hasAssistant) this.garbage.noAssistant++;
		if (hasEmpty) this.garbage.emptyMessages++;
		if (noMessages || !hasAssistant || hasEmpty) this.garbage.anyProblem++;
	}

	finish(): StructureAnalysis {
		let groups = 0;
		let redundantEntries = 0;
		for (const count of this.contentHashes.values()) {
			if (count > 1) {
				groups++;
				redundantEntries += count - 1;
			}
		}
		const distribution = (values: number[]): Distribution => ({ summary: summarize(values), histogram: integerHistogram(values) });
		const review = { ...this.review };
		for (const state of REVIEW_STATES) review[state] ??= 0;
		return {
			entries: this.entries,
			messages: this.messages,
			roles: [...this.roles.values()].sort((a, b) => b.messages - a.messages),
			messagesPerEntry: distribution(this.messageCounts),
			exchangesPerEntry: distribution(this.exchangeCounts),
			charactersPerEntry: distribution(this.characterCounts),
			systemPrompts: {
				distinct: this.systemPrompts.size,
				entriesWithout: this.withoutSystem,
				top: [...this.systemPrompts.values()].sort((a, b) => b.count - a.count).slice(0, TOP_SYSTEM_PROMPTS)
			},
			tags: {
				distinct: this.tags.size,
				untagged: this.untagged,
				top: [...this.tags.entries()]
					.map(([tag, count]) => ({ tag, count }))
					.sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag))
					.slice(0, TOP_TAGS)
			},
			review,
			exactDuplicates: { groups, redundantEntries },
			prompts: { withPrompt: this.withPrompt, exactRedundant: this.promptRedundant },
			garbage: { ...this.garbage }
		};
	}
}
