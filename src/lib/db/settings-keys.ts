/** Keys of the `settings` table, in one place so page and worker agree without importing each other. */

/** The opt-in "repair on import" (automatic-safe repairs applied to imported entries). */
export const REPAIR_ON_IMPORT_SETTING = 'repairOnImport';

/** The validation profile a dataset was last checked with. */
export const validationProfileKey = (datasetId: string) => `validationProfile:${datasetId}`;

/** What the dataset list shows about the last validation of a dataset. */
export const validationSummaryKey = (datasetId: string) => `validationSummary:${datasetId}`;

