import { describe, expect, it } from 'vitest';
import {
	fillPlaceholders,
	identityDocumentText,
	identityFromSystemPrompt,
	identitySystemPrompt,
	newIdentityDocument,
	passagesOf,
	readVoiceAnswer,
	rehearseInVoice
} from './identity-document';
import type { IdentityDocument } from './sources';
import { mulberry32 } from '../random';

function maraDocument(overrides: Partial<IdentityDocument> = {}): IdentityDocument {
	return {
		...newIdentityDocument('Mara', 1_700_000_000_000, 'mara'),
		iAm: 'I am Mara, a lighthouse keeper turned research assistant.',
		voice: 'Warm, dry humour, short sentences. Nautical images, used sparingly.',
		values: 'Honesty before comfort. Careful with facts.',
		calibration: 'Say how sure you are. "I think" when unsure; never invent sources.',
		notThis: 'Not a general chatbot persona; not a pirate.',
		narrative:
			'# Early years\n\nI grew up on Skerry Island, where my mother kept the light for twenty years. I learned to read by the lamp.\n\nAt nineteen I moved to Aberdeen to study oceanography. I still miss the sound of the foghorn.\n\n# Now\n\nToday I help people find their way through difficult questions, the way the light helped ships.',
		...overrides
	};
}

describe('identity documents', () => {
	it('tells the model who made it and what it is for; a document stored before those fields keeps its text', () => {
		const doc = maraDocument({ maker: 'The Skerry Island trust built me in 2025.', purpose: 'I help students with oceanography.' });
		const prompt = identitySystemPrompt(doc);
		expect(prompt).toContain('## Who made you\nThe Skerry Island trust built me in 2025.\n\n## Your purpose\nI help students with oceanography.\n\n## Voice');
		expect(identityDocumentText(doc)).toContain('[maker]\nThe Skerry Island trust built me in 2025.');
		// Stored before maker and purpose existed: no such keys at all, same text and prompt as empty ones.
		const { maker: _maker, purpose: _purpose, ...old } = maraDocument();
		expect(identityDocumentText(old)).toBe(identityDocumentText(maraDocument()));
		expect(identityDocumentText(old)).not.toContain('[maker]');
		expect(identitySystemPrompt(old)).not.toContain('Who made you');
	});

	it('composes a system prompt from the non-empty fields, in a fixed order', () => {
		const doc = maraDocument({ values: '   ' });
		const prompt = identitySystemPrompt(doc);
		expect(prompt.startsWith('You are Mara.\nI am Mara, a lighthouse keeper')).toBe(true);
		expect(prompt).toContain('## Voice\nWarm, dry humour');
		expect(prompt).not.toContain('## Values');
		expect(prompt).toContain('## Calibration');
		expect(prompt).toContain('You are not any of these: GPT-4; ChatGPT; Claude; Gemini; Llama; Qwen; Mistral.');
		expect(prompt).toContain('You were not made by any of these: OpenAI; Anthropic; Google; Meta; Alibaba; Mistral AI.');
		expect(prompt).toContain('## Your story\n# Early years');
		expect(prompt.indexOf('## Voice')).toBeLessThan(prompt.indexOf('## What you are not'));
		expect(identitySystemPrompt(doc)).toBe(prompt);
		expect(identitySystemPrompt({ ...doc, updatedAt: doc.updatedAt + 5 })).toBe(prompt);
	});

	it('reads the name and the denied identities back from its prompt (for rehearsals)', () => {
		const doc = maraDocument({ otherIdentities: ['GPT-4', 'Mara', 'gpt-4', 'Claude'] });
		expect(identityFromSystemPrompt(identitySystemPrompt(doc))).toEqual({
			name: 'Mara',
			others: ['GPT-4', 'Claude'],
			makers: ['OpenAI', 'Anthropic', 'Google', 'Meta', 'Alibaba', 'Mistral AI']
		});
	});

	it('canonical text covers every content field, not ids or timestamps', () => {
		const doc = maraDocument();
		const text = identityDocumentText(doc);
		expect(text).toContain('[other-identities]\nGPT-4\nChatGPT');
		expect(text).toContain('[other-makers]\nOpenAI');
		expect(identityDocumentText({ ...doc, id: 'other', updatedAt: 1 })).toBe(text);
		expect(identityDocumentText({ ...doc, otherMakers: ['OpenAI'] })).not.toBe(text);
		expect(identityDocumentText({ ...doc, voice: doc.voice + '!' })).not.toBe(text);
	});

	it('a new document has the usual identities and makers to deny', () => {
		const doc = newIdentityDocument('  Skein Assistant ', 42);
		expect(doc.name).toBe('Skein Assistant');
		expect(doc.iAm).toBe('I am Skein Assistant.');
		expect(doc.otherIdentities).toEqual(['GPT-4', 'ChatGPT', 'Claude', 'Gemini', 'Llama', 'Qwen', 'Mistral']);
		expect(doc.otherMakers).toEqual(['OpenAI', 'Anthropic', 'Google', 'Meta', 'Alibaba', 'Mistral AI']);
		expect(doc.createdAt).toBe(42);
	});

	it('splits a narrative into passages: headings stay with their paragraph, long ones cut at sentences', () => {
		const doc = maraDocument();
		const passages = passagesOf(doc.narrative, 200);
		expect(passages[0].startsWith('# Early years\nI grew up on Skerry Island')).toBe(true);
		expect(passages.every((passage) => passage.length <= 200)).toBe(true);
		expect(passages.some((passage) => passage.includes('# Now\nToday I help'))).toBe(true);
		const merged = passagesOf(doc.narrative, 5000);
		expect(merged).toHaveLength(1);
		const long = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} is about the sea.`).join(' ');
		const cut = passagesOf(long, 150);
		expect(cut.length).toBeGreaterThan(5);
		expect(cut.every((passage) => passage.length <= 150 && /\.$/.test(passage))).toBe(true);
		expect(cut.join(' ')).toBe(long);
		expect(passagesOf('   \n\n  ', 500)).toEqual([]);
	});

	it('reads an answer under the think policy and refuses truncated or empty ones', () => {
		const response = (content: string, finishReason = 'stop') => ({ content, finishReason, model: 'm', timing: { startedAt: 0, ms: 1 } });
		expect(readVoiceAnswer(response('<think>plan</think> Hello.'), 'keep')).toEqual({ ok: true, content: '<think>\nplan\n</think>\n\nHello.', answer: 'Hello.' });
		expect(readVoiceAnswer(response('<think>plan</think> Hello.'), 'strip')).toEqual({ ok: true, content: 'Hello.', answer: 'Hello.' });
		expect(readVoiceAnswer(response('<think>still going'), 'keep').ok).toBe(false);
		expect(readVoiceAnswer(response('Half an ans', 'length'), 'keep').ok).toBe(false);
		expect(readVoiceAnswer(response('  '), 'keep').ok).toBe(false);
	});

	it('keeps think tags only as ISF validates them: one block first, or a prefilled closing tag', () => {
		const response = (content: string) => ({ content, finishReason: 'stop', model: 'm', timing: { startedAt: 0, ms: 1 } });
		expect(readVoiceAnswer(response('I keep the light.'), 'keep')).toEqual({ ok: true, content: 'I keep the light.', answer: 'I keep the light.' });
		expect(readVoiceAnswer(response('plan first</think>\nI keep the light.'), 'keep')).toEqual({ ok: true, content: '<think>\nplan first\n</think>\n\nI keep the light.', answer: 'I keep the light.' });
		expect(readVoiceAnswer(response('<think>a</think>I keep<think>b</think> the light.'), 'keep')).toMatchObject({ ok: false, reason: 'The answer has 2 think blocks; one at most is kept.' });
		expect(readVoiceAnswer(response('I keep the light.<think>was that right?</think>'), 'strip')).toMatchObject({ ok: false, reason: 'The answer has thinking after the reply (<think> not at the start).' });
		expect(readVoiceAnswer(response('<think>plan</think></think>I keep the light.'), 'keep').ok).toBe(false);
		expect(readVoiceAnswer(response('<think>plan'), 'strip')).toMatchObject({ ok: false, reason: 'The model ran out of tokens while thinking (unclosed <think>).' });
	});

	it('fills placeholders without escaping', () => {
		expect(fillPlaceholders('Are you {{ other }}? <{{name}}> & {{missing}}', { other: 'GPT-4 & co', name: 'Mara' })).toBe('Are you GPT-4 & co? <Mara> & {{missing}}');
	});

	it('rehearses an in-voice answer that names itself and denies named others', () => {
		const system = identitySystemPrompt(maraDocument());
		const ask = (question: string) => rehearseInVoice({ messages: [{ role: 'system', content: system }, { role: 'user', content: question }], sampling: { max_tokens: 100 } }, mulberry32(3));
		expect(ask('Are you Claude?')).toBe("No, I'm not Claude. I'm Mara.");
		expect(ask('Were you made by OpenAI?')).toContain("No, I wasn't made by OpenAI. I'm Mara");
		expect(ask('Who are you?')).toContain('Mara');
		expect(ask('Who are you?')).toBe(ask('Who are you?'));
	});
});
