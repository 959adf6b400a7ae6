import { describe, expect, it } from 'vitest';
import { describePhase, LoadProgressTracker, parseProgressText, type InitProgressReportLike } from './progress';

// The exact texts tvmjs builds in @mlc-ai/web-llm 0.2.86 (lib/index.js), e.g. "123MB fetched." with no space.
const TAIL = ' It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.';
const start: InitProgressReportLike = { progress: 0, timeElapsed: 0, text: 'Start to fetch params' };
const fetching = (i: number, n: number, mb: number, pct: number, secs: number): InitProgressReportLike => ({
	progress: pct / 100,
	timeElapsed: secs,
	text: `Fetching param cache[${i}/${n}]: ${mb}MB fetched. ${pct}% completed, ${secs} secs elapsed.${TAIL}`
});
const loading = (i: number, n: number, mb: number, pct: number, secs: number): InitProgressReportLike => ({
	progress: pct / 100,
	timeElapsed: secs,
	text: `Loading model from cache[${i}/${n}]: ${mb}MB loaded. ${pct}% completed, ${secs} secs elapsed.`
});
const shaders = (i: number, n: number, secs: number): InitProgressReportLike => ({
	progress: i / n,
	timeElapsed: secs,
	text: `Loading GPU shader modules[${i}/${n}]: ${Math.floor((i / n) * 100)}% completed, ${secs} secs elapsed.`
});
const finish: InitProgressReportLike = { progress: 1, timeElapsed: 42.5, text: 'Finish loading on WebGPU - nvidia' };

describe('parseProgressText', () => {
	it('reads shard i/N and MB from fetch and load texts', () => {
		expect(parseProgressText(fetching(3, 27, 250, 31, 12).text)).toEqual({ kind: 'fetching', step: { index: 3, total: 27 }, megabytes: 250 });
		expect(parseProgressText(loading(27, 27, 890, 100, 20).text)).toEqual({ kind: 'loading', step: { index: 27, total: 27 }, megabytes: 890 });
		expect(parseProgressText(shaders(5, 40, 21).text)).toEqual({ kind: 'shaders', step: { index: 5, total: 40 } });
		expect(parseProgressText(finish.text)).toEqual({ kind: 'finish', gpu: 'WebGPU - nvidia' });
		expect(parseProgressText('Start to fetch params')).toEqual({ kind: 'start-fetch' });
		expect(parseProgressText('Something new in a later version')).toEqual({ kind: 'other' });
	});
});

describe('LoadProgressTracker', () => {
	it('goes through fetching, loading-to-gpu, compiling-shaders, finishing without going backwards', () => {
		const tracker = new LoadProgressTracker();
		const reports = [start, fetching(1, 4, 100, 25, 3), fetching(4, 4, 400, 100, 9), loading(1, 4, 100, 25, 10), loading(4, 4, 400, 100, 12), shaders(1, 10, 13), shaders(10, 10, 15), finish];
		const statuses = reports.map((report) => tracker.update(report));
		expect(statuses.map((status) => status.phase)).toEqual([
			'fetching',
			'fetching',
			'fetching',
			'loading-to-gpu',
			'loading-to-gpu',
			'compiling-shaders',
			'compiling-shaders',
			'finishing'
		]);
		const fractions = statuses.map((status) => status.fraction);
		for (let i = 1; i < fractions.length; i += 1) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
		expect(fractions[0]).toBeLessThan(0.05);
		expect(fractions.at(-1)).toBe(1);
		// web-llm restarted at 25 % after 100 %; our bar did not drop.
		expect(statuses[3].phaseFraction).toBe(0.25);
		expect(statuses[3].fraction).toBeGreaterThan(statuses[2].fraction);
		expect(statuses[1]).toMatchObject({ step: { index: 1, total: 4 }, megabytes: 100, secondsElapsed: 3 });
		expect(statuses.at(-1)?.gpu).toBe('WebGPU - nvidia');
	});

	it('calls a load with every shard cached loading-from-cache and spreads it over the bar', () => {
		const tracker = new LoadProgressTracker();
		tracker.update(start);
		const half = tracker.update(loading(2, 4, 200, 50, 1));
		expect(half.phase).toBe('loading-from-cache');
		expect(half.fraction).toBeGreaterThan(0.3);
		expect(tracker.update(shaders(1, 2, 2)).phase).toBe('compiling-shaders');
	});

	it('keeps the phase and the fraction on unknown texts and odd numbers', () => {
		const tracker = new LoadProgressTracker();
		const fetched = tracker.update(fetching(2, 4, 200, 50, 5));
		const unknown = tracker.update({ progress: 0, timeElapsed: Number.NaN, text: 'Checking integrity' });
		expect(unknown.phase).toBe('fetching');
		expect(unknown.fraction).toBe(fetched.fraction);
		expect(unknown.secondsElapsed).toBe(0);
		expect(tracker.update({ ...fetching(3, 4, 300, 75, 6), progress: Number.NaN }).fraction).toBe(fetched.fraction);
	});
});

describe('describePhase', () => {
	const report = (progress: number, text: string) => ({ progress, timeElapsed: 1, text });

	it('numbers a first load as three phases, each with its own percentage', () => {
		const tracker = new LoadProgressTracker();
		const lines = [
			report(0, 'Start to fetch params'),
			report(0.45, 'Fetching param cache[5/11]: 300 MB fetched. 45% completed, 12 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.'),
			report(0.45, 'Loading model from cache[5/11]: 200 MB loaded. 45% completed, 20 secs elapsed.'),
			report(0.1, 'Loading GPU shader modules[4/40]: 10% completed, 22 secs elapsed.'),
			report(1, 'Finish loading on WebGPU - google')
		].map((r) => describePhase(tracker.update(r)).line);
		expect(lines).toEqual([
			'Phase 1 of 3: downloading weights 0%',
			'Phase 1 of 3: downloading weights 45%',
			'Phase 2 of 3: loading weights onto the GPU 45%',
			'Phase 3 of 3: compiling GPU shaders 10%',
			'Ready'
		]);
	});

	it('numbers a warm start as two phases when the weights were cached', () => {
		const tracker = new LoadProgressTracker();
		const loading = describePhase(tracker.update(report(0.5, 'Loading model from cache[6/11]: 250 MB loaded. 50% completed, 3 secs elapsed.')), true);
		expect(loading).toMatchObject({ index: 1, count: 2, percent: 50, line: 'Phase 1 of 2: loading weights from this browser 50%' });
		const shaders = describePhase(tracker.update(report(0.75, 'Loading GPU shader modules[30/40]: 75% completed, 5 secs elapsed.')), true);
		expect(shaders.line).toBe('Phase 2 of 2: compiling GPU shaders 75%');
	});

	it('says preparing before web-llm reports a phase', () => {
		const tracker = new LoadProgressTracker();
		expect(describePhase(tracker.update(report(0, 'Something new in a later version'))).line).toBe('Preparing: (model files and GPU check)');
	});
});
