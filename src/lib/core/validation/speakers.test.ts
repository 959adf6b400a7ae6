import { describe, expect, it } from 'vitest';
import { createValidationContext } from './context';
import { entryOf } from './testing';
import { customSpeaker } from './rules/roles';
import { SpeakerCensus, suggestSpeakerMapping } from './speakers';

/** A harbour roleplay log with a narrator between the two speakers' turns. */
const NARRATED = entryOf([
	['Narrator', 'The lamp gutters as the storm reaches the harbour.'],
	['Tom', 'Mara, is the ferry coming?'],
	['Narrator', 'A long silence from the lamp room.'],
	['Mara', 'Not tonight, Tom.'],
	['Narrator', 'Thunder rolls over the breakwater.'],
	['Tom', 'Then I stay.'],
	['Mara', 'Then put the kettle on.']
]);
const NO_NAMES = { identityName: '', userName: '' };

describe('suggestSpeakerMapping with a narrator', () => {
	it('proposes the narrator as system and the two speakers as user and assistant', () => {
		// By frequency alone the narrator (3 lines) and Tom would take the two roles, and Mara answer as a second assistant.
		expect({ ...suggestSpeakerMapping(NARRATED.messages, NO_NAMES) }).toEqual({ Narrator: 'system', Tom: 'user', Mara: 'assistant' });
		expect({ ...suggestSpeakerMapping(NARRATED.messages, { identityName: 'Mara', userName: 'Tom' }) }).toEqual({ Narrator: 'system', Tom: 'user', Mara: 'assistant' });
	});

	it('keeps the configured identity the assistant even where another guess would alternate as well', () => {
		const log = entryOf([['Mara', 'Evening.'], ['Tom', 'Evening, Mara.'], ['Mara', 'Storm tonight.']]);
		expect({ ...suggestSpeakerMapping(log.messages, { identityName: 'Mara', userName: '' }) }).toEqual({ Mara: 'assistant', Tom: 'user' });
		expect({ ...suggestSpeakerMapping(log.messages, NO_NAMES) }).toEqual({ Mara: 'user', Tom: 'assistant' });
	});

	it('says so in the custom-speaker finding', () => {
		const ctx = createValidationContext(NO_NAMES);
		const messages = customSpeaker.check(NARRATED, ctx).map((finding) => finding.message);
		expect(messages).toEqual([
			'Speaker "Narrator" is not a role. Suggested: map it to "system" (narration: as user or assistant it would put two same-role turns in a row).',
			'Speaker "Tom" is not a role. Suggested: map it to "user".',
			'Speaker "Mara" is not a role. Suggested: map it to "assistant".'
		]);
	});

	it('counts narration in the dataset census', () => {
		const census = new SpeakerCensus(NO_NAMES);
		census.add(NARRATED.messages);
		census.add(NARRATED.messages);
		expect(census.suggest()).toEqual([
			{ name: 'Mara', role: 'assistant', entries: 2 },
			{ name: 'Narrator', role: 'system', entries: 2 },
			{ name: 'Tom', role: 'user', entries: 2 }
		]);
	});
});
