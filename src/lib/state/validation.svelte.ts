/**
 * The validation panel's doors: a dataset's validation (run in the data worker over its stored
 * blocks), the repairs with their previews, the custom profiles (kept in the settings table so the
 * worker reads the same list) and the "repair on import" switch.
 */
import { getDatabase } from '$lib/db/database';
import { getSetting, setSetting } from '$lib/db/datasets-repo';
import { deleteCustomProfile, listCustomProfiles, saveCustomProfile } from '$lib/db/profiles-repo';
import { REPAIR_ON_IMPORT_SETTING } from '$lib/db/settings-keys';
import type { StoredProfile } from '$lib/core/contracts/settings';
import { dataWorker } from '$lib/workers/data-bridge';
import type { CurationOutcome } from '$lib/workers/data-service';
import type { RepairPreview, RepairScope, ValidationReport } from '$lib/workers/validation-service';

export type { StoredProfile };

export type BlockProgress = (done: number, total: number) => void;

/** The saved custom profiles; ones that no longer parse are skipped. */
export function customProfiles(): Promise<StoredProfile[]> {
	return listCustomProfiles(getDatabase());
}

/** Saves (or replaces, by id) a custom profile. */
export function saveProfile(profile: StoredProfile): Promise<void> {
	return saveCustomProfile(getDatabase(), profile);
}

export function deleteProfile(id: string): Promise<void> {
	return deleteCustomProfile(getDatabase(), id);
}

/** The profile a dataset was last checked with (the default one when never). */
export function profileOf(datasetId: string): Promise<string> {
	return dataWorker().validationProfile(datasetId);
}

export function lastValidation(datasetId: string): Promise<ValidationReport | null> {
	return dataWorker().lastValidation(datasetId);
}

export function validate(datasetId: string, profile: string, onProgress: BlockProgress): Promise<ValidationReport> {
	return dataWorker().validate(datasetId, profile, onProgress);
}

export async function repairOnImport(): Promise<boolean> {
	return (await getSetting<boolean>(getDatabase(), REPAIR_ON_IMPORT_SETTING)) === true;
}

export function setRepairOnImport(on: boolean): Promise<void> {
	return setSetting(getDatabase(), REPAIR_ON_IMPORT_SETTING, on);
}

/** What a repair would change in the entries of `scope`, before it runs. */
export function previewRepair(datasetId: string, repairId: string, scope: RepairScope): Promise<RepairPreview> {
	return dataWorker().previewRepair(datasetId, repairId, scope);
}

/** Applies a repair to the entries of `scope`, as one undoable step. */
export function applyRepair(datasetId: string, repairId: string, scope: RepairScope, onProgress: BlockProgress): Promise<CurationOutcome> {
	return dataWorker().applyRepair(datasetId, repairId, scope, onProgress);
}
