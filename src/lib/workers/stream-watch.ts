/**
 * Follows a run's streamed answers for the run view: which record and step each streamed request
 * belongs to (the dispatcher's step-started event carries the same messages array the engine is
 * then called with), its tokens so far and speed, and the speed of all of them together. Pushes
 * a `requests` event at most every `intervalMs`, and once more when the last stream ends.
 */
import type { ChatMessage, Engine, StreamUpdate } from '$lib/core/contracts/engine';
import type { LiveRequest } from '$lib/core/contracts/run-api';

interface Started {
	recordIndex: number;
	stepIndex: number;
	attempt: number;
}

export interface StreamWatchOptions {
	/** Receives the streams in flight and their summed tokens per second. */
	emit: (requests: LiveRequest[], tokensPerSecond: number | null) => void;
	/** The record's label for the progress line. */
	label: (recordIndex: number) => string;
	intervalMs?: number;
}

export class StreamWatch {
	private readonly starts = new WeakMap<ChatMessage[], Started>();
	private readonly live = new Map<ChatMessage[], LiveRequest>();
	private timer: ReturnType<typeof setTimeout> | null = null;
	private stopped = false;

	constructor(private readonly options: StreamWatchOptions) {}

	/** Follows `engine`'s streams (engines that do not stream never call it). */
	attach(engine: Engine): void {
		engine.onStream = (update) => this.update(update);
	}

	/** The dispatcher is about to send this step's request. */
	started(recordIndex: number | undefined, stepIndex: number, attempt: number, messages: ChatMessage[]): void {
		if (recordIndex === undefined) return;
		this.starts.set(messages, { recordIndex, stepIndex, attempt });
	}

	update(update: StreamUpdate): void {
		if (this.stopped) return;
		const started = this.starts.get(update.messages);
		if (!started) return;
		if (update.done) this.live.delete(update.messages);
		else {
			const generating = update.firstTokenMs !== undefined ? update.ms - update.firstTokenMs : 0;
			this.live.set(update.messages, {
				...started,
				label: this.options.label(started.recordIndex),
				tokens: update.chunks,
				// One chunk is the first token: the rate counts the ones after it over the time since.
				tokensPerSecond: generating > 0 && update.chunks > 1 ? ((update.chunks - 1) / generating) * 1000 : null,
				ms: update.ms
			});
		}
		this.schedule();
	}

	private schedule(): void {
		if (this.timer || this.stopped) return;
		this.timer = setTimeout(() => {
			this.timer = null;
			this.flush();
		}, this.options.intervalMs ?? 250);
	}

	private flush(): void {
		const requests = [...this.live.values()].sort((a, b) => a.recordIndex - b.recordIndex || a.stepIndex - b.stepIndex);
		const rates = requests.flatMap((request) => (request.tokensPerSecond !== null ? [request.tokensPerSecond] : []));
		this.options.emit(requests, rates.length ? rates.reduce((sum, rate) => sum + rate, 0) : null);
	}

	/** The run ended: nothing in flight any more. */
	stop(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.live.clear();
		if (!this.stopped) this.options.emit([], null);
		this.stopped = true;
	}
}
