/**
 * The data service built with its validation part, as the worker builds it (data.worker.ts) and as
 * tests build it: the last validation runs are shared between the two — validation fills them, the
 * data service's pre-export check and "has finding" filter read them.
 */
import type { SkeinDatabase } from '$lib/db/database';
import { DataService } from './data-service';
import { ValidationRuns, validationForData } from './validation-service';

export function composeDataServices(db: SkeinDatabase): { data: DataService; validationRuns: ValidationRuns } {
	const validationRuns = new ValidationRuns();
	return { data: new DataService(db, validationForData(db, validationRuns)), validationRuns };
}
