/**
 * Answer helpers for tasks: the JSON records of an answer (through the tolerant extractor the
 * prompt compiler already uses) with the thinking set aside, failing retryably when there are none.
 */
import type { ChatResponse } from '../contracts/engine';
import { extractRecords } from '../compiler/extract';
import type { JsonRecord } from '../json-safety';
import { RetryableAnswerError } from './task';
import { splitThink } from './think';

/** The JSON objects in an answer; throws RetryableAnswerError when there is none. */
export function jsonRecordsOf(response: ChatResponse): JsonRecord[] {
	const { answer } = splitThink(response.content);
	const { records, problems } = extractRecords(answer);
	if (!records.length) {
		const why = problems[0]?.reason ?? 'no JSON object found';
		throw new RetryableAnswerError(`The answer has no usable JSON (${why}).`, 'unparsable-answer');
	}
	return records.map((item) => item.record);
}
