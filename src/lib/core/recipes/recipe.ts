/**
 * The recipe contract: what a built-in generation recipe (chunked iterative, identity
 * augmentation, assertions, prompt-pool answers, continuation) gives the run service.
 *
 * A recipe is pure. The run service (workers/run-service.ts) resolves the sources a recipe names
 * (character sheets, identity documents, prompt pools, dataset entries, fact runs: one module
 * each in workers/run-sources/) from IndexedDB, asks the recipe for its input records and
 * manifest parts, and runs `task` on the dispatcher. Every
 * recipe produces the same sample shape, `DraftSample` (messages plus metadata), so the judge
 * step, the review queue and "accept into a dataset" work for all of them.
 */
import type { z } from 'zod';
import type { ChatMessage, ChatRequest, Sampling } from '../contracts/engine';
import type { Entry } from '../model';
import type { InputRecord } from '../runtime/dispatcher';
import type { Task } from '../runtime/task';
import type { CharacterSheet } from '../sheets/sheet';
import type { IdentityDocument, PromptPoolSample } from './sources';

/** The judge's verdict on a sample (judge.ts); below the threshold = marked, never deleted. */
export interface JudgeVerdict {
	score: number;
	rationale: string;
	threshold: number;
	passed: boolean;
	/** The judge could not be parsed / failed: the sample is kept, unmarked, with this reason. */
	error?: string;
}

/** What every recipe returns per sample. */
export interface DraftSample {
	/** The conversation the sample becomes (system prompt first when there is one). */
	messages: ChatMessage[];
	/** Tags the accepted entry gets (slugs), e.g. ['generated', 'identity']. */
	tags: string[];
	/** Recipe-specific facts shown in review and kept in provenance (chunkId, iteration, fact…). */
	meta: Record<string, unknown>;
	judge?: JudgeVerdict;
}

/** A source a recipe reads, by id. */
export type SourceRef =
	| { kind: 'sheet'; id: string }
	| { kind: 'identity'; id: string }
	| { kind: 'pool'; id: string }
	| { kind: 'dataset'; id: string; entryIds?: string[] }
	/** The accepted (or edited) facts of an earlier fact-extraction run, by run id. */
	| { kind: 'facts'; id: string };

/**
 * The sources, loaded. Prompt pools are never loaded whole: the run service samples them
 * (sources.ts `planPoolSample`) and passes only the chosen items. Dataset entries are those the
 * params select (e.g. ticked entries to continue).
 */
export interface ResolvedSources {
	sheets: Record<string, CharacterSheet>;
	identities: Record<string, IdentityDocument>;
	pools: Record<string, PromptPoolSample>;
	entries: Record<string, Entry[]>;
	/** Run id → accepted facts, in record/sample order. */
	facts: Record<string, string[]>;
}

/** The parts of a run that do not depend on the recipe: what the run form always asks. */
export interface RunSettings {
	sampling: Sampling;
	seed: number;
	/** Run only the first N records (the run is then marked partial). */
	limit?: number;
}

export interface PreparedRun<Input> {
	inputs: InputRecord<Input>[];
	/** Document name → text, for the manifest (staleness: "Document X changed"). */
	documents: Record<string, string>;
	/** Everything else the output depends on (templates, stage config, recipe version). */
	definition: unknown;
	/**
	 * The documents (by name) every record's requests read besides its own input, such as an
	 * identity document used as the system prompt: when one changes, a re-run asks every record
	 * again. Omitted: identity documents and a system prompt are taken to be read so.
	 */
	sharedDocuments?: string[];
	/**
	 * Documents whose text is the lines of the items read (a pool sample's prompts): read block by
	 * block (Recipe.streams), each block holds its items' lines, and the document is all of them
	 * joined by a line break, as if read at once.
	 */
	splitDocuments?: string[];
}

/** A label/value pair shown per record in the run view (e.g. a chunk's JSON-valid-first-try rate). */
export interface RecordStat {
	label: string;
	value: string;
	/** For sorting / charts. */
	number?: number;
	/** A figure's parts ("3 of 5"): a run adds its records' figures up with them. */
	count?: number;
	of?: number;
	/** The target the figure is held to (seed 003: "≥ 95%") and whether it was reached. */
	target?: string;
	met?: boolean;
}

export interface RecordOutcome<Input> {
	input: Input;
	samples: DraftSample[];
	notes: import('../runtime/task').TaskNote[];
	/** Completed steps (answers) of the record. */
	stepCount: number;
	/** The record's steps as stored (answer text and finish reason): figures are computed from them. */
	steps?: import('../runtime/dispatcher').StepRecord[];
	/** The record failed (summarized only when the recipe sets `summarizesFailed`). */
	failed?: boolean;
}

export interface Recipe<Params, Input> {
	id: string;
	label: string;
	/** One sentence for the recipe picker. */
	description: string;
	/**
	 * 'entries' (default): samples are conversations accepted into a dataset. 'facts': samples are
	 * extracted facts (meta.fact) reviewed before a follow-up run uses the accepted ones.
	 */
	output?: 'entries' | 'facts';
	/** Bumped when prompts or logic change: part of the manifest, so old runs show as stale. */
	version: number;
	params: z.ZodType<Params>;
	/** The sources the params name. */
	sources(params: Params): SourceRef[];
	/** Input records (deterministic for the same params, sources and seed) and manifest parts. */
	prepare(params: Params, sources: ResolvedSources, settings: RunSettings): PreparedRun<Input>;
	task(params: Params, sources: ResolvedSources, settings: RunSettings): Task<Input, DraftSample>;
	/** Per-record statistics for the run view; optional. */
	summarize?(outcome: RecordOutcome<Input>, sources: ResolvedSources, params: Params): RecordStat[];
	/** `summarize` also for failed records (their steps still count, e.g. towards JSON valid first try). */
	summarizesFailed?: boolean;
	/**
	 * The text a record's samples must be traceable to (a chunk's document) and words that ground
	 * nothing (the character's name): review shows each sample's grounding score against it.
	 */
	groundingSource?(input: Input): { text: string; ignore?: string[] };
	/**
	 * Answered steps a record normally takes (a chunk's iterations), for a per-record progress bar
	 * while it runs; optional (retries and judge steps are not counted).
	 */
	expectedSteps?(input: Input): number;
	/**
	 * What of a record's input its requests depend on, when not all of it (a fact's text, not its
	 * position in the list): a re-run recognises a record that only moved by it, and keeps it.
	 */
	recordKey?(input: Input): unknown;
	/**
	 * `prepare` maps each item of its big source (a dataset's entries) to its own inputs and
	 * documents, other documents being the same for every block: an unlimited run then reads the
	 * source block by block while it runs (workers/run-feed.ts) and its manifest built block by
	 * block equals the one built at once.
	 */
	streams?: boolean;
	/** A short label for a record in the run view ("Chunk 3: Childhood", "Fact 12"). */
	recordLabel(input: Input): string;
	/**
	 * A canned answer of the right shape for one of this recipe's requests, for the rehearsal
	 * (test) engine: lets a user check a recipe's flow end to end without a model. Deterministic
	 * for the same request and random. Samples of rehearsal runs are tagged 'rehearsal'.
	 */
	rehearse(request: ChatRequest, random: () => number): string;
}

/** A recipe with its types erased, for the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRecipe = Recipe<any, any>;
