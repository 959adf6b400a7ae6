import { describe, expect, it } from 'vitest';
import { StructureCollector } from '$lib/core/analysis/structure';
import { makeEntry, msg } from '$lib/core/curation/test-fixtures';
import { acceptChecklist } from './accept-checklist';

function dataset(rows: { prompt: string; answer: string; tags: string[] }[]) {
	const collector = new StructureCollector();
	rows.forEach((row, i) =>
		collector.add(makeEntry(`e${i}`, [msg('system', 'You are Mara, keeper of the Gull Rock light.'), msg('user', row.prompt), msg('assistant', row.answer)], { tags: row.tags }))
	);
	return collector.finish();
}

describe('acceptChecklist', () => {
	it('a small all-generated rehearsal dataset fails volume and rehearsal, and warns on the mix', () => {
		const items = acceptChecklist(
			dataset([
				{ prompt: 'Who keeps the light?', answer: 'I do, every night since the storm of ’98.', tags: ['generated', 'chunked', 'rehearsal'] },
				{ prompt: 'Do you ever sleep?', answer: 'In the mornings, when the gulls let me.', tags: ['generated', 'chunked', 'rehearsal'] }
			])
		);
		const byId = Object.fromEntries(items.map((item) => [item.id, item]));
		expect(byId.volume.status).toBe('fail');
		expect(byId.volume.detail).toBe('2 entries: 998 more needed.');
		expect(byId.sources.status).toBe('warn');
		expect(byId.sources.detail).toContain('2 generated, 0 from elsewhere (chunked: 2)');
		expect(byId.rehearsal.status).toBe('fail');
		expect(byId.rehearsal.detail).toContain('2 entries are canned rehearsal answers');
		expect(items.some((item) => item.id === 'voice')).toBe(false);
	});

	it('generated entries beside hand-written ones are a mix; no rehearsal passes', () => {
		const items = acceptChecklist(
			dataset([
				{ prompt: 'Who keeps the light?', answer: 'I do.', tags: ['generated', 'identity'] },
				{ prompt: 'What do you see at night?', answer: 'Ships, mostly. And the odd whale.', tags: [] }
			])
		);
		const byId = Object.fromEntries(items.map((item) => [item.id, item]));
		expect(byId.sources.status).toBe('pass');
		expect(byId.rehearsal.status).toBe('pass');
	});
});
