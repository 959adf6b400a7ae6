/**
 * Data Generation, worker side (no Comlink): the prompt registry, compiles for the live preview,
 * and the paste-back import of an external model's reply. Runs in the data worker
 * (`generationApi` below is composed into its API) and in Node tests on fake-indexeddb.
 *
 * The registry is read from IndexedDB once and kept in memory until this service changes it, so a
 * compile on every keystroke costs only the compile itself.
 */
import { compileById, makeRegistry, type CompileResult, type Registry } from '$lib/core/compiler';
import { extractRecords, recordsToJsonl, type ExtractProblem } from '$lib/core/compiler/extract';
import { entryToLine } from '$lib/core/export/serialize';
import { importText } from '$lib/core/import/file-importer';
import type { Entry, FormatId, LineError } from '$lib/core/model';
import type { SkeinDatabase } from '$lib/db/database';
import {
	createChunk,
	deleteChunk,
	deleteTemplate,
	duplicateTemplate,
	exportBundle,
	importBundle,
	loadRegistry,
	resetChunk,
	resetTemplate,
	saveChunk,
	saveTemplate,
	type RegistrySnapshot
} from '$lib/db/prompt-registry-repo';
import { addEntriesAsOneStep } from './add-entries';
import type { DataService } from './data-service';

export type TimedCompileResult = CompileResult & { durationMs: number };

/** What the page knows about the prompt a reply answers (provenance of the imported drafts). */
export interface ReplyProvenance {
	templateId: string;
	settingsHash: string;
	promptHash: string;
	/** ISO time the prompt was compiled (copied) on the page. */
	compiledAt: string;
}

export interface ReplyPreview {
	/** The entries as they would be imported (ids are provisional). */
	entries: Entry[];
	formats: Partial<Record<FormatId, number>>;
	/** Found as JSON but not usable, with the reply's line numbers. */
	problems: ExtractProblem[];
	/** Text around the data, ignored. */
	ignored: ExtractProblem[];
	notes: string[];
}

export type ReplyTarget = { kind: 'existing'; datasetId: string } | { kind: 'new'; name: string };

export type ReplyImportOutcome =
	| { ok: true; datasetId: string; imported: number; skipped: number }
	| { ok: false; error: string };

/** The importer's record errors, on the reply's own line numbers. */
function problemsFromImport(errors: LineError[], recordLines: number[]): ExtractProblem[] {
	return errors.map((e) => ({ line: recordLines[e.line - 1] ?? e.line, excerpt: e.excerpt, reason: e.reason }));
}

export class GenerationService {
	private registry: Registry | null = null;

	constructor(
		private readonly db: SkeinDatabase,
		private readonly data: DataService
	) {}

	/** Seeds the built-in library when needed; returns every chunk and template with its status. */
	async loadRegistry(): Promise<RegistrySnapshot> {
		const snapshot = await loadRegistry(this.db);
		this.registry = makeRegistry(
			snapshot.chunks.map((c) => c.value),
			snapshot.templates.map((t) => t.value)
		);
		return snapshot;
	}

	private async currentRegistry(): Promise<Registry> {
		if (!this.registry) await this.loadRegistry();
		return this.registry as Registry;
	}

	/** After a change: the next compile reads the registry again. */
	private changed<T>(result: T): T {
		this.registry = null;
		return result;
	}

	async compile(templateId: string, settings: unknown): Promise<TimedCompileResult> {
		const registry = await this.currentRegistry();
		const t0 = performance.now();
		const result = compileById(registry, templateId, settings);
		return { ...result, durationMs: performance.now() - t0 };
	}

	async saveChunk(chunk: unknown) {
		return this.changed(await saveChunk(this.db, chunk));
	}
	async saveTemplate(template: unknown) {
		return this.changed(await saveTemplate(this.db, template));
	}
	async createChunk(base: string) {
		return this.changed(await createChunk(this.db, base));
	}
	async duplicateTemplate(sourceId: string, name?: string) {
		return this.changed(await duplicateTemplate(this.db, sourceId, name));
	}
	async resetChunk(id: string) {
		return this.changed(await resetChunk(this.db, id));
	}
	async resetTemplate(id: string) {
		return this.changed(await resetTemplate(this.db, id));
	}
	async deleteChunk(id: string) {
		return this.changed(await deleteChunk(this.db, id));
	}
	async deleteTemplate(id: string) {
		return this.changed(await deleteTemplate(this.db, id));
	}

	/** The registry as a JSON file's text (pretty-printed: people diff these). */
	async exportRegistry(): Promise<string> {
		return `${JSON.stringify(await exportBundle(this.db), null, '\t')}\n`;
	}

	async importRegistry(text: string) {
		let value: unknown;
		try {
			value = JSON.parse(text);
		} catch (error) {
			return { ok: false as const, error: `This file is not JSON: ${error instanceof Error ? error.message : String(error)}` };
		}
		return this.changed(await importBundle(this.db, value));
	}

	private extract(text: string, newId: () => string) {
		const extracted = extractRecords(text);
		const jsonl = recordsToJsonl(extracted.records);
		const { entries, report } = importText(jsonl, { fileName: 'pasted reply', sizeBytes: jsonl.length, newId });
		const recordLines = extracted.records.map((r) => r.line);
		// The importer's source line is the record's line in the JSONL it was given: point at the reply instead.
		for (const entry of entries) {
			const line = entry.meta.source?.line;
			if (entry.meta.source && line !== undefined) entry.meta.source = { ...entry.meta.source, line: recordLines[line - 1] ?? line };
		}
		const problems = [...extracted.problems, ...problemsFromImport(report.errors, recordLines)].sort((a, b) => a.line - b.line);
		return { entries, formats: report.formats, problems, ignored: extracted.ignored, notes: [...extracted.notes, ...report.notes.map((n) => `${n.text} (${n.count}×)`)] };
	}

	/** What a reply holds, before anything is written. */
	previewReply(text: string): ReplyPreview {
		let n = 0;
		return this.extract(text, () => `preview-${++n}`);
	}

	/** Imports a reply's entries as drafts with provenance, into a dataset (undoable) or a new one. */
	async importReply(text: string, provenance: ReplyProvenance, target: ReplyTarget, now = new Date()): Promise<ReplyImportOutcome> {
		const registry = await this.currentRegistry();
		let n = 0;
		const preview = this.extract(text, () => `reply-${++n}`);
		if (!preview.entries.length) return { ok: false, error: 'The reply holds no entries that could be imported.' };
		const template = registry.templates.get(provenance.templateId);
		const stamp = {
			kind: 'external',
			template: provenance.templateId,
			templateName: template?.name ?? provenance.templateId,
			settingsHash: provenance.settingsHash,
			promptHash: provenance.promptHash,
			compiledAt: provenance.compiledAt,
			importedAt: now.toISOString()
		};
		const drafts = preview.entries.map((entry) => ({ ...entry, meta: { ...entry.meta, review: 'draft' as const, provenance: stamp } }));
		const label = `Import ${drafts.length} ${drafts.length === 1 ? 'entry' : 'entries'} from an external reply (${stamp.templateName})`;

		if (target.kind === 'existing') {
			const added = await addEntriesAsOneStep(this.db, this.data, target, drafts.length, (ids) => drafts.map((entry, i) => ({ ...entry, id: ids[i] })), label);
			if (!added.ok) return added;
			return { ok: true, datasetId: added.datasetId, imported: added.entries.length, skipped: preview.problems.length };
		}
		// A new dataset goes through the normal import (original kept, report, all-or-nothing), as
		// Skein full-fidelity lines so that review state and provenance survive.
		const name = target.name.trim() || `${stamp.templateName} reply`;
		const jsonl = drafts.map((entry) => entryToLine(entry, 'skein')).join('\n');
		const result = await this.data.importSources(this.data.newJobId(), [{ kind: 'text', name: `${name}.jsonl`, text: jsonl }]);
		const created = result.datasets[0];
		if (result.status !== 'done' || !created) return { ok: false, error: result.error ?? 'The import failed.' };
		return { ok: true, datasetId: created.datasetId, imported: created.report.imported, skipped: preview.problems.length };
	}

}

export function generationApi(db: SkeinDatabase, data: DataService) {
	const service = new GenerationService(db, data);
	return {
		loadPromptRegistry: () => service.loadRegistry(),
		compilePrompt: (templateId: string, settings: Record<string, string | number>) => service.compile(templateId, settings),
		savePromptChunk: (chunk: unknown) => service.saveChunk(chunk),
		savePromptTemplate: (template: unknown) => service.saveTemplate(template),
		createPromptChunk: (base: string) => service.createChunk(base),
		duplicatePromptTemplate: (sourceId: string, name?: string) => service.duplicateTemplate(sourceId, name),
		resetPromptChunk: (id: string) => service.resetChunk(id),
		resetPromptTemplate: (id: string) => service.resetTemplate(id),
		deletePromptChunk: (id: string) => service.deleteChunk(id),
		deletePromptTemplate: (id: string) => service.deleteTemplate(id),
		exportPromptRegistry: () => service.exportRegistry(),
		importPromptRegistry: (text: string) => service.importRegistry(text),
		previewReply: (text: string) => service.previewReply(text),
		importReply: (text: string, provenance: ReplyProvenance, target: ReplyTarget) => service.importReply(text, provenance, target)
	};
}
