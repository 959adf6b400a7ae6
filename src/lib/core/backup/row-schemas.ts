/**
 * What each table's rows must look like to be restored (zod, checked for every row before
 * anything is written). The fields Skein relies on are typed — keys, counts, entries — and
 * anything else a row carries is allowed through unchanged (loose objects): a restore writes the
 * rows as the backup holds them, the schemas only decide whether it may.
 */
import { z } from 'zod';
import { EntrySchema } from '../model';
import { CharacterSheetSchema } from '../sheets/sheet';
import { IdentityDocumentSchema, PromptPoolSchema } from '../recipes/sources';

const id = z.string().min(1);
const count = z.number().int().nonnegative();
const time = z.number();

const entries = z.array(EntrySchema);

const CharacterSheetRowSchema = CharacterSheetSchema.extend({ updatedAt: time });

export const ROW_SCHEMAS: Record<string, z.ZodType> = {
	datasets: z.looseObject({
		id,
		name: z.string(),
		createdAt: time,
		updatedAt: time,
		status: z.enum(['importing', 'ready']),
		entryCount: count,
		blockSizes: z.array(count),
		nextEntryNo: count,
		sizeBytes: z.number().nonnegative()
	}),
	blocks: z.looseObject({ datasetId: id, blockNo: count, entries }),
	originals: z.looseObject({ id: count.optional(), datasetId: id, fileName: z.string(), mimeType: z.string(), sizeBytes: count, blob: z.instanceof(Blob), importedAt: time }),
	history: z.looseObject({ id: count.optional(), datasetId: id, seq: z.number().int(), label: z.string(), at: time, undone: z.boolean(), changes: z.array(z.looseObject({ position: count })) }),
	snapshots: z.looseObject({ id, datasetId: id, name: z.string(), createdAt: time, entryCount: count, blockSizes: z.array(count) }),
	snapshotBlocks: z.looseObject({ snapshotId: id, blockNo: count, entries }),
	savedFilters: z.looseObject({ id, datasetId: id, name: z.string(), query: z.string(), createdAt: time }),
	settings: z.looseObject({ key: z.string().min(1), value: z.unknown() }),
	tags: z.looseObject({ slug: z.string().min(1), label: z.string(), category: z.string().optional(), aliases: z.array(z.string()) }),
	characters: z.looseObject({ id, name: z.string(), description: z.string(), aliases: z.array(z.string()) }),
	promptChunks: z.looseObject({ id, value: z.unknown(), edited: z.boolean(), updatedAt: time }),
	promptTemplates: z.looseObject({ id, value: z.unknown(), edited: z.boolean(), updatedAt: time }),
	characterSheets: CharacterSheetRowSchema.loose(),
	identityDocuments: IdentityDocumentSchema.loose(),
	promptPools: PromptPoolSchema.loose(),
	promptPoolItems: z.looseObject({ poolId: id, index: count, text: z.string(), rating: z.number(), ordinal: count }),
	promptPoolBlocks: z.looseObject({ poolId: id, blockNo: count, texts: z.array(z.string()), ratings: z.array(z.number()) }),
	promptPoolRatingIndexes: z.looseObject({ poolId: id, byRating: z.record(z.string(), z.instanceof(Uint32Array)) }),
	runs: z.looseObject({ id, recipeId: z.string(), label: z.string(), engine: z.looseObject({ kind: z.string() }), state: z.string(), counts: z.looseObject({ total: count }), createdAt: time, updatedAt: time }),
	runManifests: z.looseObject({ runId: id, manifest: z.looseObject({}) }),
	runRecords: z.looseObject({ runId: id, recordIndex: count, recordId: z.string(), state: z.string(), steps: z.array(z.unknown()), updatedAt: time }),
	runSamples: z.looseObject({ id, runId: id, recordIndex: count, sampleIndex: count, review: z.string(), createdAt: time }),
	responseCache: z.looseObject({ key: z.string().min(1), response: z.unknown(), at: time })
};

/** A message naming the first problem of a row, or null when it may be restored. */
export function rowProblem(table: string, row: unknown): string | null {
	const schema = ROW_SCHEMAS[table];
	if (!schema) return `the backup has a table "${table}" that Skein does not know`;
	const parsed = schema.safeParse(row);
	if (parsed.success) return null;
	const issue = parsed.error.issues[0];
	return `${issue.path.length ? issue.path.join('.') : 'the row'}: ${issue.message}`;
}
