/**
 * Turns web-llm's `initProgressCallback` reports into phases a page can show.
 *
 * web-llm restarts `progress` at 0 for each phase (download, upload to the GPU, shader
 * compilation; webllm.md B.4), so a bar driven by it jumps backwards. The phase is read from the
 * text (the exact strings tvmjs emits in 0.2.86) and mapped into a band of one overall fraction
 * that `LoadProgressTracker` never lets go down.
 */

/** web-llm's report shape (`InitProgressReport`). */
export interface InitProgressReportLike {
	progress: number;
	timeElapsed: number;
	text: string;
}

/**
 * `loading-from-cache` and `loading-to-gpu` are the same web-llm step ("Loading model from
 * cache": shards are read from Cache Storage and uploaded to the GPU); the name says whether
 * weights were already cached (warm start) or were just downloaded.
 */
export type LoadPhase = 'preparing' | 'fetching' | 'loading-from-cache' | 'loading-to-gpu' | 'compiling-shaders' | 'finishing';

export interface LoadStatus {
	phase: LoadPhase;
	/** Overall 0..1 across all phases; never decreases within one load. */
	fraction: number;
	/** The phase's own 0..1 as web-llm reported it. */
	phaseFraction: number;
	/** Shard or shader module i of N, when the text says. */
	step?: { index: number; total: number };
	/** MB fetched (fetching) or loaded (loading), when the text says. */
	megabytes?: number;
	secondsElapsed: number;
	/** The GPU named in "Finish loading on …". */
	gpu?: string;
	/** Weights are being (or were) downloaded in this load: a first load has three phases, a warm one two. */
	downloading: boolean;
	/** web-llm's own text, for a details line. */
	text: string;
}

interface ParsedReport {
	kind: 'start-fetch' | 'fetching' | 'loading' | 'shaders' | 'finish' | 'other';
	step?: { index: number; total: number };
	megabytes?: number;
	gpu?: string;
}

const FETCHING = /^Fetching param cache\[(\d+)\/(\d+)\]:\s*(\d+)\s*MB fetched/;
const LOADING = /^Loading model from cache\[(\d+)\/(\d+)\]:\s*(\d+)\s*MB loaded/;
const SHADERS = /^Loading GPU shader modules\[(\d+)\/(\d+)\]/;
const FINISH = /^Finish loading on\s*(.*)$/;

export function parseProgressText(text: string): ParsedReport {
	if (text.startsWith('Start to fetch params')) return { kind: 'start-fetch' };
	let match = FETCHING.exec(text);
	if (match) return { kind: 'fetching', step: { index: Number(match[1]), total: Number(match[2]) }, megabytes: Number(match[3]) };
	match = LOADING.exec(text);
	if (match) return { kind: 'loading', step: { index: Number(match[1]), total: Number(match[2]) }, megabytes: Number(match[3]) };
	match = SHADERS.exec(text);
	if (match) return { kind: 'shaders', step: { index: Number(match[1]), total: Number(match[2]) } };
	match = FINISH.exec(text);
	if (match) return { kind: 'finish', gpu: match[1].trim() || undefined };
	return { kind: 'other' };
}

/** Share of the overall bar per phase: downloading dominates a first load, uploading a warm one. */
const BANDS_AFTER_DOWNLOAD: Record<LoadPhase, [number, number]> = {
	preparing: [0, 0.02],
	fetching: [0.02, 0.75],
	'loading-from-cache': [0.75, 0.92],
	'loading-to-gpu': [0.75, 0.92],
	'compiling-shaders': [0.92, 0.99],
	finishing: [1, 1]
};
const BANDS_WARM_START: Record<LoadPhase, [number, number]> = {
	...BANDS_AFTER_DOWNLOAD,
	'loading-from-cache': [0.02, 0.8],
	'loading-to-gpu': [0.02, 0.8],
	'compiling-shaders': [0.8, 0.99]
};

function clamp01(value: number): number {
	return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** One per load: keeps the phase state and the high-water mark. */
export class LoadProgressTracker {
	private phase: LoadPhase = 'preparing';
	private downloaded = false;
	private fraction = 0;

	update(report: InitProgressReportLike): LoadStatus {
		const parsed = parseProgressText(report.text);
		const phaseFraction = clamp01(report.progress);
		switch (parsed.kind) {
			case 'start-fetch':
				this.phase = 'fetching';
				break;
			case 'fetching':
				this.phase = 'fetching';
				this.downloaded = true;
				break;
			case 'loading':
				this.phase = this.downloaded ? 'loading-to-gpu' : 'loading-from-cache';
				break;
			case 'shaders':
				this.phase = 'compiling-shaders';
				break;
			case 'finish':
				this.phase = 'finishing';
				break;
			case 'other':
				// Unknown text (a future web-llm message): stay in the current phase.
				break;
		}
		const bands = this.downloaded ? BANDS_AFTER_DOWNLOAD : BANDS_WARM_START;
		const [from, to] = bands[this.phase];
		const inBand = parsed.kind === 'start-fetch' ? 0 : phaseFraction;
		this.fraction = Math.max(this.fraction, from + (to - from) * inBand);
		return {
			phase: this.phase,
			fraction: this.fraction,
			phaseFraction,
			step: parsed.step,
			megabytes: parsed.megabytes,
			secondsElapsed: Number.isFinite(report.timeElapsed) ? report.timeElapsed : 0,
			gpu: parsed.gpu,
			downloading: this.downloaded,
			text: report.text
		};
	}
}

export interface PhaseDescription {
	/** 1-based; 0 before the first real phase (preparing) and after the last (ready). */
	index: number;
	count: number;
	name: string;
	/** The phase's own progress, 0..100 — web-llm restarts it for every phase. */
	percent: number;
	/** "Phase 2 of 3: loading weights onto the GPU 45%". */
	line: string;
}

const PHASE_NAMES: Record<LoadPhase, string> = {
	preparing: 'preparing (model files and GPU check)',
	fetching: 'downloading weights',
	'loading-from-cache': 'loading weights from this browser',
	'loading-to-gpu': 'loading weights onto the GPU',
	'compiling-shaders': 'compiling GPU shaders',
	finishing: 'ready'
};

/**
 * Numbers the phases the way the user lives them: download → load onto the GPU → compile shaders
 * on a first load, or load → compile when the weights were already here. `cached` (known before
 * the load started) settles the count while web-llm is still preparing.
 */
export function describePhase(status: LoadStatus, cached = false): PhaseDescription {
	const count = status.downloading || !cached ? 3 : 2;
	const order: LoadPhase[] = count === 3 ? ['fetching', 'loading-to-gpu', 'compiling-shaders'] : ['loading-from-cache', 'compiling-shaders'];
	// A warm start that turns out to download after all (an incomplete cache) is still phase 1.
	const phase = count === 3 && status.phase === 'loading-from-cache' ? 'loading-to-gpu' : status.phase;
	const index = order.indexOf(phase) + 1;
	const percent = status.phase === 'finishing' ? 100 : Math.round(status.phaseFraction * 100);
	const name = PHASE_NAMES[phase];
	const line = index > 0 ? `Phase ${index} of ${count}: ${name} ${percent}%` : status.phase === 'finishing' ? 'Ready' : `Preparing: ${name.replace(/^preparing /, '')}`;
	return { index, count, name, percent, line };
}
