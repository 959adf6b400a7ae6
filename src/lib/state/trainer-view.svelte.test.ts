import { describe, expect, it, vi } from 'vitest';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import { trainerViewApi } from '$lib/workers/trainer-view-service';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { TrainerViewState, checkCustomTarget } = await import('./trainer-view.svelte');

const target: TemplateTarget = { template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 1024, lossMode: 'assistant-only' };
const entry = (text: string) => ({ messages: [{ role: 'user' as const, content: text }, { role: 'assistant' as const, content: 'Lit.' }], extra: {} });

describe('TrainerViewState', () => {
	it('shows the last entry asked for, even when an earlier render answers later', async () => {
		const real = trainerViewApi();
		let releaseFirst: () => void = () => undefined;
		const firstDone = new Promise<void>((resolve) => (releaseFirst = resolve));
		worker.api = {
			...real,
			trainerView: async (asked: ReturnType<typeof entry>, t: TemplateTarget) => {
				if (asked.messages[0].content === 'first') await firstDone;
				return real.trainerView(asked, t);
			}
		};
		const state = new TrainerViewState();
		const first = state.show(entry('first'), target);
		await state.show(entry('second'), target);
		releaseFirst();
		await first;
		expect(state.view?.text).toContain('second');
		expect(state.view?.text).not.toContain('first');
		expect(state.loading).toBe(false);
		expect(state.view?.tokens?.total).toBeGreaterThan(5);
	}, 120_000);

	it('says plainly when the worker fails, and checks custom templates in the worker', async () => {
		worker.api = { trainerView: () => Promise.reject(new Error('worker gone')), checkCustomTarget: trainerViewApi().checkCustomTarget };
		const state = new TrainerViewState();
		await state.show(entry('x'), target);
		expect(state.error).toBe('The entry could not be rendered: worker gone');
		expect(state.view).toBeNull();
		expect(await checkCustomTarget({ source: 'paste', text: '{% if %}', tokenizer: 'qwen3' })).toMatchObject({ ok: false, line: 1, column: 1 });
	});
});
