/**
 * An unlimited run over a large source (a dataset of 100k entries, a million-line pool) does not
 * read it whole before it starts: its first block of inputs becomes records, the run starts on
 * them, and the rest is read block by block while it runs, a block ahead of the dispatcher. Each
 * block is prepared, stored as records (with the run's new total and where the next block starts,
 * `RunRow.feed`) and folded into the manifest hash; nothing of it is kept once its records ended,
 * so the worker's memory does not grow with the source. The last block stores the full manifest.
 *
 * Only recipes whose inputs and documents of a block are those of its items (`Recipe.streams`)
 * are fed: then the manifest built block by block equals the one built from all inputs at once,
 * which is what the run list's staleness check and a re-run compare it with.
 *
 * A run stopped while feeding (a reload, a cancel) resumes where its feed stood: the blocks before
 * are read again only to rebuild the manifest hash, never stored twice.
 */
import type { RunCounts } from '$lib/core/contracts/rows';
import type { RecordFeed } from '$lib/core/runtime/dispatcher';
import type { AnyRecipe } from '$lib/core/recipes/recipe';
import { prepareRun } from '$lib/core/recipes/run-request';
import { RunManifestBuilder, type RunDefinition } from '$lib/core/runtime/staleness';
import { appendRecords, type StoredRecordRow, type StoredRunRow } from '$lib/db/runs-repo';
import type { RunContext } from './run-context';
import type { RunInputs } from './run-inputs';
import { resolveSources } from './run-sources';

/** Source positions in a run's first block: small, so a run over any source starts at once. */
export const FEED_FIRST_BLOCK = 500;
/** Source positions in each later block. */
export const FEED_BLOCK = 1000;

/** The inputs of source positions [from, to) (a dataset's entries, a pool sample's picks). */
export async function loadWindow(recipe: AnyRecipe, run: RunDefinition, io: Pick<RunContext, 'db' | 'data'>, knownNames: Record<string, string>, from: number, to: number): Promise<RunInputs> {
	const resolved = await resolveSources(recipe, run.params, run.settings, io, knownNames, to, from);
	if (resolved.missing.length) return { kind: 'missing', resolved };
	const prepared = prepareRun(recipe, run.params, resolved.sources, run.settings);
	if (!prepared.ok) return { kind: 'invalid', resolved, error: prepared.error };
	return { kind: 'ready', resolved, prepared: prepared.prepared, inputs: prepared.prepared.inputs, truncated: resolved.truncated };
}

/** Whether a run is fed block by block: unlimited, its recipe able to, and more than one block to read. */
export function feedsRun(recipe: AnyRecipe, run: RunDefinition, first: RunInputs): boolean {
	return recipe.streams === true && run.settings.limit === undefined && first.kind === 'ready' && first.truncated;
}

/** The block sizes of a fed run (the options may set smaller ones, in tests). */
export function feedBlocks(ctx: Pick<RunContext, 'options'>): { first: number; next: number } {
	return ctx.options.feedBlocks ?? { first: FEED_FIRST_BLOCK, next: FEED_BLOCK };
}

/** Pending record rows for these inputs, numbered from `firstIndex`. */
export function recordRows(runId: string, recipe: AnyRecipe, inputs: { id: string; input: unknown }[], firstIndex: number, now: number): StoredRecordRow[] {
	return inputs.map((input, i) => ({
		runId,
		recordIndex: firstIndex + i,
		recordId: input.id,
		label: recipe.recordLabel(input.input),
		input: input.input,
		state: 'pending',
		steps: [],
		notes: [],
		updatedAt: now
	}));
}

export class RunFeed {
	private from: number;
	private nextIndex: number;
	private ended = false;
	private stopped = false;
	private readonly manifest: RunManifestBuilder;

	private constructor(
		private readonly ctx: RunContext,
		private readonly recipe: AnyRecipe,
		private readonly run: StoredRunRow,
		state: { from: number; nextIndex: number; manifest: RunManifestBuilder },
		/** The run's counts after each stored block (its total grows). */
		private readonly onCounts: (counts: RunCounts) => void
	) {
		this.from = state.from;
		this.nextIndex = state.nextIndex;
		this.manifest = state.manifest;
	}

	/** The first block's records, and the feed that goes on after it (for a run about to be stored). */
	static start(ctx: RunContext, recipe: AnyRecipe, run: StoredRunRow, first: Extract<RunInputs, { kind: 'ready' }>, onCounts: (counts: RunCounts) => void): { records: StoredRecordRow[]; feed: RunFeed } {
		const manifest = new RunManifestBuilder(run, first.prepared).add(first.prepared);
		const records = recordRows(run.id, recipe, first.inputs, 0, ctx.now());
		return { records, feed: new RunFeed(ctx, recipe, run, { from: feedBlocks(ctx).first, nextIndex: records.length, manifest }, onCounts) };
	}

	/**
	 * The feed of a stored run stopped while feeding, at its stored position: the blocks before are
	 * read again (not stored) to rebuild the manifest hash. An error when its sources are gone.
	 */
	static async resume(ctx: RunContext, recipe: AnyRecipe, run: StoredRunRow & { feed: { from: number } }, onCounts: (counts: RunCounts) => void): Promise<RunFeed | { error: string }> {
		let manifest: RunManifestBuilder | null = null;
		for (let from = 0; from < run.feed.from; ) {
			const to = from === 0 ? feedBlocks(ctx).first : from + feedBlocks(ctx).next;
			const block = await loadWindow(recipe, run, ctx, run.sourceNames ?? {}, from, Math.min(to, run.feed.from));
			if (block.kind !== 'ready') return { error: block.kind === 'missing' ? block.resolved.missing.map((change) => change.reason).join(' ') : block.error };
			manifest ??= new RunManifestBuilder(run, block.prepared);
			manifest.add(block.prepared);
			from = to;
		}
		if (!manifest) return { error: 'The run’s feed position is not valid.' };
		return new RunFeed(ctx, recipe, run, { from: run.feed.from, nextIndex: run.counts.total, manifest }, onCounts);
	}

	/** The manifest of what was read so far (a fed run is stored with it, marked partial). */
	manifestSoFar() {
		return this.manifest.manifest();
	}

	/** Reads and stores nothing more (the worker is going away). */
	stop(): void {
		this.stopped = true;
	}

	/** Records known so far (stored, run or not). */
	get known(): number {
		return this.nextIndex;
	}

	/** Every input has become a record. */
	get done(): boolean {
		return this.ended;
	}

	/**
	 * Reads, prepares and stores the next block; its records, or null when there are no more (the
	 * full manifest is then stored). Throws when the sources cannot be read (a dataset deleted
	 * while the run goes on): the run stops there and can be resumed when they are back.
	 */
	async nextBlock(): Promise<StoredRecordRow[] | null> {
		while (!this.ended && !this.stopped) {
			const to = this.from + feedBlocks(this.ctx).next;
			const block = await loadWindow(this.recipe, this.run, this.ctx, this.run.sourceNames ?? {}, this.from, to);
			if (block.kind === 'missing') throw new Error(block.resolved.missing.map((change) => change.reason).join(' '));
			if (block.kind === 'invalid') throw new Error(block.error);
			if (this.stopped) return null;
			this.manifest.add(block.prepared);
			const records = recordRows(this.run.id, this.recipe, block.inputs, this.nextIndex, this.ctx.now());
			this.from = to;
			this.ended = !block.truncated;
			const end = this.ended ? { manifest: this.manifest.manifest() } : { feed: { from: this.from } };
			const counts = await appendRecords(this.ctx.db, this.run.id, records, end, this.ctx.now());
			if (!counts) throw new Error('The run was deleted.');
			this.nextIndex += records.length;
			this.onCounts(counts);
			// A block the recipe left empty (a tag filter) is not a reason to stop: read on.
			if (records.length) return records;
		}
		return null;
	}
}

/**
 * The dispatcher's records of a fed run: those already stored, then each block the feed reads,
 * the next block read while the last ones of the current block run (once half of what waits has
 * started). `read` hears of each block as it comes, `failed` of a block that could not be read.
 */
export function dispatcherFeed(first: StoredRecordRow[], feed: RunFeed, hooks: { stopped(): boolean; read(block: StoredRecordRow[]): void; failed(message: string): void }): RecordFeed<unknown> {
	let queue = first;
	let at = 0;
	let reading: Promise<void> | null = null;
	let ended = false;
	const read = (): Promise<void> =>
		(reading ??= feed.nextBlock().then(
			(block) => {
				reading = null;
				if (!block || hooks.stopped()) {
					ended = true;
					return;
				}
				hooks.read(block);
				queue = [...queue.slice(at), ...block];
				at = 0;
			},
			(error: unknown) => {
				reading = null;
				ended = true;
				hooks.failed(error instanceof Error ? error.message : String(error));
			}
		));
	return {
		next: async () => {
			while (at >= queue.length) {
				if (ended || feed.done) return null;
				await read();
			}
			const record = queue[at++];
			if (!ended && !feed.done && queue.length - at < queue.length / 2) void read();
			return { index: record.recordIndex, record: { id: record.recordId, input: record.input } };
		},
		known: () => feed.known
	};
}
