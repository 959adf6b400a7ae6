/**
 * An accepted sample as a dataset entry, with its provenance (SPEC §8.2): which run, recipe,
 * record and sample made it, on which engine, model, sampling and seed, every step's request and
 * answer with timings and tokens, the record's notes, the judge's verdict, whether the reviewer
 * edited it, and when it was accepted. Pure: the run service (workers/run-review.ts) adds the
 * entries to a dataset.
 */
import type { EngineChoice, RunRecordRow, RunRow, RunSampleRow } from '../contracts/rows';
import { hashMessages } from '../hash';
import type { Entry } from '../model';
import { modelOf } from '../runtime/engine-choice';
import type { RunSettings } from './recipe';

/** The parts of a run provenance reads. */
export type ProvenanceRun = Pick<RunRow, 'id' | 'label' | 'recipeId' | 'engine' | 'settings'>;

/** The parts of a record provenance reads, with what its last attempt ran with when the row says. */
export type ProvenanceRecord = Pick<RunRecordRow, 'recordId' | 'label' | 'steps' | 'notes'> & { generatedWith?: { engine: EngineChoice; settings: RunSettings } };

/**
 * The entry an accepted sample becomes: the reviewer's edit (when it left messages) or the
 * sample's messages, its tags, and `meta.provenance`. What made the sample is the record's
 * `generatedWith`, not what the run was edited to since (records older than that field: the run's).
 */
export function acceptedEntry(
	run: ProvenanceRun,
	recipe: { version: number } | undefined,
	record: ProvenanceRecord | undefined,
	row: RunSampleRow,
	id: string,
	acceptedAt: string
): Entry {
	const edited = row.edited?.length ? row.edited : undefined;
	const messages = (edited ?? row.sample.messages).map((message) => ({ role: message.role, content: message.content }));
	const { engine, settings } = record?.generatedWith ?? { engine: run.engine, settings: run.settings };
	const provenance = {
		kind: 'generation',
		runId: run.id,
		runLabel: run.label,
		recipeId: run.recipeId,
		recipeVersion: recipe?.version,
		recordId: record?.recordId,
		recordLabel: record?.label,
		recordIndex: row.recordIndex,
		sampleIndex: row.sampleIndex,
		engine: engine.label,
		engineKind: engine.kind,
		model: modelOf(engine),
		sampling: settings.sampling,
		seed: settings.seed,
		steps: (record?.steps ?? []).map((step) => ({
			stepIndex: step.stepIndex,
			request: step.request,
			...(step.response ? { response: { content: step.response.content, finishReason: step.response.finishReason } } : {}),
			...(step.model ? { model: step.model } : {}),
			...(step.error ? { error: step.error } : {}),
			...(step.rejected ? { rejected: step.rejected } : {}),
			timing: { startedAt: step.startedAt, endedAt: step.endedAt, ...(step.engineMs !== undefined ? { engineMs: step.engineMs } : {}) },
			...(step.response?.usage ? { tokens: step.response.usage } : {}),
			attempts: step.attempts,
			cached: step.cached
		})),
		notes: record?.notes ?? [],
		...(row.sample.judge ? { judge: row.sample.judge } : {}),
		sample: row.sample.meta,
		edited: Boolean(edited),
		acceptedAt
	};
	return { id, messages, tags: [...new Set(row.sample.tags)], meta: { review: 'accepted', provenance }, extra: {}, hash: hashMessages(messages) };
}
