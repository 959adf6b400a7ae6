/**
 * Run manifests: content hashes of everything a run's output depends on, so the Runs view can
 * say an output is stale and why. No timestamps (they would make identical runs differ), and
 * every dependency is covered, including the ones ISF missed: model id and sampling, the input
 * set, removed documents.
 */
import type { Sampling } from '../contracts/engine';
import { hashText, TextStreamHasher } from '../hash';
import { canonicalJson } from './cache-key';

export interface RunManifest {
	recipeId: string;
	/** Hash of the recipe definition (prompt templates, stage configuration, version). */
	definitionHash: string;
	paramsHash: string;
	/** Documents and chunks read, by name (e.g. an identity document's id), to content hash. */
	documents: Record<string, string>;
	/** Hash of engine kind/id + model name + sampling. */
	modelHash: string;
	/** Human-readable model label, for the reasons ("model changed from X to Y"). */
	modelLabel: string;
	inputHash: string;
	inputCount: number;
	/** The run was limited to `limit` records. */
	partial: boolean;
	limit?: number;
}

export interface ManifestInput {
	recipeId: string;
	/** Anything JSON-serialisable that defines the recipe (templates, stage config, version). */
	definition: unknown;
	params: unknown;
	/** Document name to its text. */
	documents: Record<string, string>;
	model: { engineId: string; model: string; sampling: Sampling };
	/** The input records (JSON-serialisable), in run order, before any limit. */
	inputs: readonly unknown[];
	limit?: number;
}

export function hashValue(value: unknown): string {
	return hashText(canonicalJson(value));
}

/**
 * `hashValue` of a list given one item at a time: a run's input set hashed as its source is read
 * block by block, never held whole. `digest()` equals hashValue(the items added, in order).
 */
export class InputSetHasher {
	private readonly text = new TextStreamHasher();
	private added = 0;

	add(item: unknown): this {
		this.text.write(this.added === 0 ? '[' : ',').write(canonicalJson(item));
		this.added++;
		return this;
	}

	get count(): number {
		return this.added;
	}

	digest(): string {
		if (this.added === 0) return hashText('[]');
		// The closing bracket on a copy: more items may still come.
		return this.text.clone().write(']').digest();
	}
}

/**
 * A manifest built block by block, as a run's inputs are read (an unlimited run over a large
 * source): documents are hashed and inputs folded into the input-set hash as they come, so no
 * block is kept. `build()` equals buildManifest over all the blocks' inputs and documents, in order,
 * without a limit.
 */
export class ManifestBuilder {
	private readonly inputs = new InputSetHasher();
	private readonly documents = new Map<string, string>();
	/** Documents split across blocks (`splitDocuments`), hashed as their blocks' texts joined by line breaks. */
	private readonly split = new Map<string, TextStreamHasher>();

	constructor(private readonly base: Omit<ManifestInput, 'documents' | 'inputs' | 'limit'>) {}

	add(block: { documents: Record<string, string>; inputs: readonly unknown[]; splitDocuments?: readonly string[] }): this {
		for (const [name, text] of Object.entries(block.documents)) {
			if (!block.splitDocuments?.includes(name)) {
				this.documents.set(name, hashText(text));
				continue;
			}
			const hasher = this.split.get(name);
			if (!hasher) this.split.set(name, new TextStreamHasher().write(text));
			else if (text !== '') hasher.write('\n').write(text);
		}
		for (const input of block.inputs) this.inputs.add(input);
		return this;
	}

	get inputCount(): number {
		return this.inputs.count;
	}

	build(): RunManifest {
		const hashes = new Map(this.documents);
		for (const [name, hasher] of this.split) hashes.set(name, hasher.digest());
		const documents: Record<string, string> = {};
		for (const name of [...hashes.keys()].sort()) documents[name] = hashes.get(name) as string;
		return {
			recipeId: this.base.recipeId,
			definitionHash: hashValue(this.base.definition),
			paramsHash: hashValue(this.base.params),
			documents,
			modelHash: hashValue(this.base.model),
			modelLabel: `${this.base.model.model} (${this.base.model.engineId})`,
			inputHash: this.inputs.digest(),
			inputCount: this.inputs.count,
			partial: false
		};
	}
}

export function buildManifest(input: ManifestInput): RunManifest {
	const limited = input.limit !== undefined && input.limit < input.inputs.length;
	const documents: Record<string, string> = {};
	for (const name of Object.keys(input.documents).sort()) documents[name] = hashText(input.documents[name]);
	return {
		recipeId: input.recipeId,
		definitionHash: hashValue(input.definition),
		paramsHash: hashValue(input.params),
		documents,
		modelHash: hashValue(input.model),
		modelLabel: `${input.model.model} (${input.model.engineId})`,
		// The hash covers the full input set, so a run limited to N records is compared with the same full set.
		inputHash: hashValue(input.inputs),
		inputCount: input.inputs.length,
		partial: limited,
		...(limited ? { limit: input.limit } : {})
	};
}

export type ManifestChange =
	| { kind: 'recipe'; reason: string }
	| { kind: 'definition'; reason: string }
	| { kind: 'params'; reason: string }
	| { kind: 'document-changed'; name: string; reason: string }
	| { kind: 'document-added'; name: string; reason: string }
	| { kind: 'document-removed'; name: string; reason: string }
	| { kind: 'model'; reason: string }
	| { kind: 'inputs'; reason: string };

/**
 * How a reason names a document of a manifest (by its name there, e.g. "identity:Tidewatch"):
 * a noun phrase starting with a capital. document-labels.ts names them by their sources' labels.
 */
export type DocumentLabel = (name: string) => string;

const plainLabel: DocumentLabel = (name) => `Document "${name}"`;

/** What changed between the manifest a run stored and the one the current state would produce. */
export function compareManifests(previous: RunManifest, current: RunManifest, label: DocumentLabel = plainLabel): ManifestChange[] {
	const changes: ManifestChange[] = [];
	// Several documents may read the same ("An entry of the dataset "Keeper chats""): say it once.
	const addDocumentChange = (change: ManifestChange) => {
		if (!changes.some((known) => known.reason === change.reason)) changes.push(change);
	};
	if (previous.recipeId !== current.recipeId) changes.push({ kind: 'recipe', reason: `Recipe changed from "${previous.recipeId}" to "${current.recipeId}".` });
	if (previous.definitionHash !== current.definitionHash) changes.push({ kind: 'definition', reason: 'The recipe definition changed.' });
	if (previous.paramsHash !== current.paramsHash) changes.push({ kind: 'params', reason: 'The recipe parameters changed.' });
	for (const name of Object.keys(current.documents)) {
		if (!(name in previous.documents)) addDocumentChange({ kind: 'document-added', name, reason: `${label(name)} was added.` });
		else if (previous.documents[name] !== current.documents[name]) addDocumentChange({ kind: 'document-changed', name, reason: `${label(name)} changed.` });
	}
	for (const name of Object.keys(previous.documents)) {
		if (!(name in current.documents)) addDocumentChange({ kind: 'document-removed', name, reason: `${label(name)} was removed.` });
	}
	if (previous.modelHash !== current.modelHash) {
		changes.push({
			kind: 'model',
			reason: previous.modelLabel !== current.modelLabel ? `The model changed from ${previous.modelLabel} to ${current.modelLabel}.` : 'The model settings (sampling) changed.'
		});
	}
	if (previous.inputHash !== current.inputHash) {
		changes.push({
			kind: 'inputs',
			reason: previous.inputCount !== current.inputCount ? `The input set changed (${previous.inputCount} → ${current.inputCount} records).` : 'The input records changed.'
		});
	}
	return changes;
}

/** `reading`: a run whose inputs are still being read (it covers what was read so far). */
export type RunStatus = { state: 'current' } | { state: 'partial'; limit?: number; reading?: true } | { state: 'stale'; changes: ManifestChange[]; partial: boolean };

/** CURRENT / PARTIAL / STALE with reasons, as the Runs view shows it. */
export function runStatus(stored: RunManifest, current: RunManifest, label?: DocumentLabel): RunStatus {
	const changes = compareManifests(stored, current, label);
	if (changes.length) return { state: 'stale', changes, partial: stored.partial };
	if (stored.partial) return { state: 'partial', limit: stored.limit };
	return { state: 'current' };
}
