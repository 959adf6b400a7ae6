/**
 * The run view's live-event reducer: a pushed RunEvent applied to the stored RunDetail and the live
 * figures beside it. Pure: the page's run state (state/runs.svelte.ts) folds each batch of events
 * through it, and it is tested in Node.
 */
import type { LiveRequest, RunDetail, RunEvent, RunLogLine, RunRecordSummary } from '../contracts/run-api';
import type { RunRecordState } from '../contracts/rows';

/**
 * The records a view lists: the first `limit` of the run's records (in `state`, when set), by
 * position. A record event outside it is not added: a view of a 100k-record run keeps one page.
 */
export interface RecordWindow {
	state?: RunRecordState;
	limit: number;
}

/** No bound: every record an event brings is listed (tests, small runs). */
const UNBOUNDED: RecordWindow = { limit: Infinity };

/** The run view's live figures beside the stored detail. */
export interface LiveFigures {
	requestsInFlight: number;
	tokensPerSecond: number | null;
	/** Streamed requests in flight, with their progress (endpoint runs that stream). */
	streams?: LiveRequest[];
	/** Tokens per second of the streams in flight together; null when none is sending. */
	streamTokensPerSecond?: number | null;
}

/** Log lines kept on the page; the service keeps its own tail across reloads. */
export const LOG_LIMIT = 500;

/**
 * Applies one pushed event to the run view's detail (returns a new object when it changed, the
 * same one when the event is about another run).
 */
export function applyRunEvent(detail: RunDetail, figures: LiveFigures, event: RunEvent, window: RecordWindow = UNBOUNDED): { detail: RunDetail; figures: LiveFigures } {
	if (event.runId !== detail.run.id) return { detail, figures };
	switch (event.type) {
		case 'state':
			return {
				detail: { ...detail, run: { ...detail.run, state: event.state }, live: event.state === 'running' || event.state === 'queued' ? detail.live : false },
				figures: event.state === 'running' ? figures : { ...figures, requestsInFlight: 0, streams: [], streamTokensPerSecond: null }
			};
		case 'requests':
			// Streams in flight are requests in flight: the count is at least theirs (progress events come only as steps end).
			return { detail, figures: { ...figures, requestsInFlight: Math.max(figures.requestsInFlight, event.requests.length), streams: event.requests, streamTokensPerSecond: event.tokensPerSecond } };
		case 'progress': {
			const run = { ...detail.run, counts: event.counts };
			// The feed read its last block: the run no longer says it is reading.
			if (event.reading === false) delete run.feed;
			return {
				detail: { ...detail, run },
				figures: { ...figures, requestsInFlight: event.requestsInFlight, tokensPerSecond: event.tokensPerSecond }
			};
		}
		case 'record': {
			const records = detail.records.slice();
			placeRecord(records, event.record, window);
			return { detail: { ...detail, records }, figures };
		}
		case 'log':
			return { detail: { ...detail, log: appendLog(detail.log, [event.line]) }, figures };
	}
}

/**
 * Applies a batch of events (in order) with one copy of the records and the log, however many
 * events there are: a fast run pushes hundreds of record events between two frames, and copying
 * every record list per event made the page's work grow with records × events.
 */
export function applyRunEvents(detail: RunDetail, figures: LiveFigures, events: readonly RunEvent[], window: RecordWindow = UNBOUNDED): { detail: RunDetail; figures: LiveFigures } {
	const mine = events.filter((event) => event.runId === detail.run.id);
	if (!mine.length) return { detail, figures };
	let records: RunRecordSummary[] | null = null;
	const lines: RunLogLine[] = [];
	let next = detail;
	let nextFigures = figures;
	for (const event of mine) {
		if (event.type === 'record') {
			records ??= detail.records.slice();
			placeRecord(records, event.record, window);
		} else if (event.type === 'log') lines.push(event.line);
		else ({ detail: next, figures: nextFigures } = applyRunEvent(next, nextFigures, event));
	}
	return {
		detail: { ...next, ...(records ? { records } : {}), ...(lines.length ? { log: appendLog(next.log, lines) } : {}) },
		figures: nextFigures
	};
}

/**
 * Puts the record in its place in `records` (changed in place), as the window lists it: replaced
 * where it is, removed when it left the window's state, added when it belongs among the first
 * `limit` (before the last one listed, or while the list is short of the limit).
 */
function placeRecord(records: RunRecordSummary[], record: RunRecordSummary, window: RecordWindow): void {
	const at = records[record.recordIndex]?.recordIndex === record.recordIndex ? record.recordIndex : records.findIndex((r) => r.recordIndex === record.recordIndex);
	const belongs = !window.state || record.state === window.state;
	if (at >= 0) {
		if (belongs) records[at] = record;
		else records.splice(at, 1);
		return;
	}
	if (!belongs) return;
	const last = records.at(-1);
	if (records.length >= window.limit && (!last || record.recordIndex > last.recordIndex)) return;
	const before = records.findIndex((r) => r.recordIndex > record.recordIndex);
	if (before < 0) records.push(record);
	else records.splice(before, 0, record);
	if (records.length > window.limit) records.length = window.limit;
}

export function appendLog(log: RunLogLine[], lines: RunLogLine[]): RunLogLine[] {
	const next = log.concat(lines);
	return next.length > LOG_LIMIT ? next.slice(next.length - LOG_LIMIT) : next;
}
