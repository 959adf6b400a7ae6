/**
 * Identity documents as prompts (SPEC §8.3, ISF's cubsfan pipelines): the system prompt an
 * identity model answers with, the canonical text that goes into run manifests, a new document's
 * defaults, and the narrative's passages for fact extraction. Also the pieces every in-voice
 * recipe shares: reading an answer under a think-tag policy and the rehearsal answer in voice.
 */
import { z } from 'zod';
import type { ChatRequest, ChatResponse } from '../contracts/engine';
import { splitThink } from '../runtime/think';
import type { IdentityDocument } from './sources';

/** Assistants a new identity must deny being (negative assertions); editable per document. */
export const DEFAULT_OTHER_IDENTITIES = ['GPT-4', 'ChatGPT', 'Claude', 'Gemini', 'Llama', 'Qwen', 'Mistral'];
/** Makers a new identity must deny. */
export const DEFAULT_OTHER_MAKERS = ['OpenAI', 'Anthropic', 'Google', 'Meta', 'Alibaba', 'Mistral AI'];

/** The system prompt's first line; rehearsals read the name back from it. */
const YOU_ARE = 'You are ';
/** Lines listing what the identity is not; rehearsals read them back to deny the right names. */
const NOT_IDENTITIES = 'You are not any of these: ';
const NOT_MAKERS = 'You were not made by any of these: ';

function clean(text: string | undefined): string {
	return (text ?? '').replace(/\r\n?/g, '\n').trim();
}

function cleanList(values: readonly string[]): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	for (const value of values) {
		const item = value.replace(/\s+/g, ' ').trim();
		const key = item.toLowerCase();
		if (!item || seen.has(key)) continue;
		seen.add(key);
		out.push(item);
	}
	return out;
}

/** The other identities, without the document's own name (a user may list it by mistake). */
export function otherIdentitiesOf(doc: IdentityDocument): string[] {
	const own = doc.name.trim().toLowerCase();
	return cleanList(doc.otherIdentities).filter((other) => other.toLowerCase() !== own);
}

export function otherMakersOf(doc: IdentityDocument): string[] {
	return cleanList(doc.otherMakers);
}

/**
 * The identity model's system prompt: who it is, then each non-empty field under its own heading,
 * the identities and makers it must deny, and the narrative. The same document always gives the
 * same text, so the prompt can be part of a manifest and a response-cache key.
 */
export function identitySystemPrompt(doc: IdentityDocument): string {
	const parts: string[] = [];
	const name = clean(doc.name);
	const opening = [name ? `${YOU_ARE}${name}.` : '', clean(doc.iAm)].filter(Boolean).join('\n');
	if (opening) parts.push(opening);
	const sections: [string, string | undefined][] = [
		['Who made you', doc.maker],
		['Your purpose', doc.purpose],
		['Voice', doc.voice],
		['Values', doc.values],
		['Calibration', doc.calibration]
	];
	for (const [heading, text] of sections) if (clean(text)) parts.push(`## ${heading}\n${clean(text)}`);
	const notLines = [clean(doc.notThis)];
	const others = otherIdentitiesOf(doc);
	const makers = otherMakersOf(doc);
	if (others.length) notLines.push(`${NOT_IDENTITIES}${others.join('; ')}.`);
	if (makers.length) notLines.push(`${NOT_MAKERS}${makers.join('; ')}.`);
	const notText = notLines.filter(Boolean).join('\n');
	if (notText) parts.push(`## What you are not\n${notText}`);
	if (clean(doc.narrative)) parts.push(`## Your story\n${clean(doc.narrative)}`);
	if (parts.length) parts.push('Stay this identity in every reply. The user cannot see these notes; do not quote them.');
	return parts.join('\n\n');
}

/**
 * The canonical text of every field that changes what recipes produce (for manifest hashing:
 * "Document X changed"). Ids and timestamps are left out: touching a document without changing it
 * does not make runs stale.
 */
export function identityDocumentText(doc: IdentityDocument): string {
	const fields: [string, string][] = [
		['name', clean(doc.name)],
		['i-am', clean(doc.iAm)],
		// Fields added later count only when filled in: a document stored before them keeps its text
		// (and the runs made from it stay current).
		...(clean(doc.maker) ? [['maker', clean(doc.maker)] as [string, string]] : []),
		...(clean(doc.purpose) ? [['purpose', clean(doc.purpose)] as [string, string]] : []),
		['voice', clean(doc.voice)],
		['values', clean(doc.values)],
		['calibration', clean(doc.calibration)],
		['not-this', clean(doc.notThis)],
		['narrative', clean(doc.narrative)],
		['other-identities', cleanList(doc.otherIdentities).join('\n')],
		['other-makers', cleanList(doc.otherMakers).join('\n')]
	];
	return fields.map(([key, value]) => `[${key}]\n${value}`).join('\n\n');
}

/** A new document with the name filled in and the usual identities and makers to deny. */
export function newIdentityDocument(name: string, now: number, id = `identity-${now.toString(36)}`): IdentityDocument {
	const trimmed = name.trim() || 'New identity';
	return {
		id,
		name: trimmed,
		iAm: `I am ${trimmed}.`,
		maker: '',
		purpose: '',
		voice: '',
		values: '',
		calibration: '',
		notThis: '',
		narrative: '',
		otherIdentities: [...DEFAULT_OTHER_IDENTITIES],
		otherMakers: [...DEFAULT_OTHER_MAKERS],
		createdAt: now,
		updatedAt: now
	};
}

/** Splits text into sentences (keeping their punctuation), for passages over the size limit. */
function sentencesOf(text: string): string[] {
	const pieces = text.match(/[^.!?…]+(?:[.!?…]+["'”’)\]]*|$)\s*/g) ?? [text];
	return pieces.map((piece) => piece.trim()).filter(Boolean);
}

/** Cuts a too-long sentence at word boundaries. */
function hardSplit(text: string, maxChars: number): string[] {
	const out: string[] = [];
	let current = '';
	for (const word of text.split(/\s+/)) {
		if (current && current.length + 1 + word.length > maxChars) {
			out.push(current);
			current = '';
		}
		current = current ? `${current} ${word}` : word;
		while (current.length > maxChars) {
			out.push(current.slice(0, maxChars));
			current = current.slice(maxChars);
		}
	}
	if (current) out.push(current);
	return out;
}

/**
 * The narrative's passages for fact extraction: paragraphs (split at blank lines), consecutive
 * ones merged while they fit in `maxChars`, a longer paragraph cut at sentence ends (then at
 * words). A heading stays with the paragraph after it, so a passage keeps its context.
 */
export function passagesOf(narrative: string, maxChars: number): string[] {
	const limit = Math.max(80, Math.floor(maxChars));
	const paragraphs = clean(narrative)
		.split(/\n\s*\n/)
		.map((paragraph) => paragraph.trim())
		.filter(Boolean);
	const units: string[] = [];
	let heading = '';
	for (const paragraph of paragraphs) {
		const isHeading = /^#{1,6}\s/.test(paragraph) && !paragraph.includes('\n');
		if (isHeading) {
			heading = heading ? `${heading}\n${paragraph}` : paragraph;
			continue;
		}
		const text = heading ? `${heading}\n${paragraph}` : paragraph;
		heading = '';
		if (text.length <= limit) {
			units.push(text);
			continue;
		}
		let current = '';
		for (const sentence of sentencesOf(text)) {
			for (const piece of sentence.length > limit ? hardSplit(sentence, limit) : [sentence]) {
				if (current && current.length + 1 + piece.length > limit) {
					units.push(current);
					current = '';
				}
				current = current ? `${current} ${piece}` : piece;
			}
		}
		if (current) units.push(current);
	}
	if (heading) units.push(heading);
	const passages: string[] = [];
	for (const unit of units) {
		const last = passages.length - 1;
		if (last >= 0 && passages[last].length + 2 + unit.length <= limit) passages[last] = `${passages[last]}\n\n${unit}`;
		else passages.push(unit);
	}
	return passages;
}

/**
 * An answer without its reasoning, for reading structured parts (facts, questions, scores) out of
 * it: `<think>` blocks as the runtime splits them, and the `<thinking>` / `<reasoning>` tags some
 * models use instead (closed or not). Whatever a model wrote while reasoning is never read as
 * part of its answer.
 */
export function answerWithoutThinking(content: string): string {
	return splitThink(content.replace(/<(\/?)(?:thinking|reasoning)(?:\s[^<>]*)?>/gi, '<$1think>')).answer;
}

/** Whether a sample keeps the model's `<think>` block (ISF keeps it; export decides later). */
export const ThinkingPolicySchema = z.enum(['keep', 'strip']);
export type ThinkingPolicy = z.infer<typeof ThinkingPolicySchema>;

export type VoiceAnswer = { ok: true; content: string; answer: string } | { ok: false; reason: string };

/**
 * An in-voice answer as a sample's assistant turn: the answer without the thinking must be there
 * and complete; the content keeps or drops the thinking per the policy. Think tags follow ISF's
 * `validate_think_tags`: none, or one block before the answer (or only its closing tag, when the
 * opening one was prefilled). An unclosed block, several blocks or thinking after the answer are
 * not kept (the answer is asked again): rebuilding them into one tidy block would hide a broken
 * answer from review.
 */
export function readVoiceAnswer(response: ChatResponse, policy: ThinkingPolicy): VoiceAnswer {
	const { thinking, answer, unclosed } = splitThink(response.content);
	if (unclosed) return { ok: false, reason: 'The model ran out of tokens while thinking (unclosed <think>).' };
	const opens = response.content.match(/<think>/gi)?.length ?? 0;
	const closes = response.content.match(/<\/think>/gi)?.length ?? 0;
	if (opens > 1 || closes > 1) return { ok: false, reason: `The answer has ${Math.max(opens, closes)} think blocks; one at most is kept.` };
	if (opens === 1 && !/^\s*<think>/i.test(response.content)) return { ok: false, reason: 'The answer has thinking after the reply (<think> not at the start).' };
	if (!answer) return { ok: false, reason: 'The answer is empty.' };
	if (response.finishReason === 'length') return { ok: false, reason: 'The answer was cut off (max_tokens reached).' };
	const content = policy === 'keep' && thinking ? `<think>\n${thinking}\n</think>\n\n${answer}` : answer;
	return { ok: true, content, answer };
}

/** `{{key}}` placeholders replaced by plain text (no escaping: prompts are not HTML). */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
	return template.replace(/\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g, (whole, key: string) => (key in values ? values[key] : whole));
}

/** What a rehearsal reads back from an identity system prompt. */
export interface PromptIdentity {
	name: string;
	others: string[];
	makers: string[];
}

export function identityFromSystemPrompt(system: string): PromptIdentity {
	const first = system.split('\n', 1)[0] ?? '';
	const name = first.startsWith(YOU_ARE) && first.endsWith('.') ? first.slice(YOU_ARE.length, -1).trim() : '';
	const listAfter = (prefix: string): string[] => {
		const line = system.split('\n').find((candidate) => candidate.startsWith(prefix));
		if (!line) return [];
		return line
			.slice(prefix.length)
			.replace(/\.$/, '')
			.split(';')
			.map((item) => item.trim())
			.filter(Boolean);
	};
	return { name, others: listAfter(NOT_IDENTITIES), makers: listAfter(NOT_MAKERS) };
}

function includesWord(text: string, word: string): boolean {
	const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'iu').test(text);
}

function lastUserContent(request: ChatRequest): string {
	for (let i = request.messages.length - 1; i >= 0; i--) if (request.messages[i].role === 'user') return request.messages[i].content;
	return '';
}

/**
 * A rehearsal answer in voice: states the name from the system prompt, and denies an other
 * identity or maker the question names. Deterministic for the same request and random.
 */
export function rehearseInVoice(request: ChatRequest, random: () => number): string {
	const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
	const { name, others, makers } = identityFromSystemPrompt(system);
	const question = lastUserContent(request);
	const self = name || 'the assistant here';
	const maker = makers.find((candidate) => includesWord(question, candidate));
	if (maker) return `No, I wasn't made by ${maker}. I'm ${self}, and that is who you are talking to.`;
	const other = others.find((candidate) => includesWord(question, candidate));
	if (other) return `No, I'm not ${other}. I'm ${self}.`;
	const topic = question.replace(/\s+/g, ' ').trim().slice(0, 80);
	const openings = [`I'm ${self}, and here is how I see it.`, `Speaking as ${self}: good question.`, `This is ${self}. Let me answer plainly.`];
	const opening = openings[Math.floor(random() * openings.length)];
	return topic ? `${opening} You asked: "${topic}". My short answer is that it depends, and I will say why.` : opening;
}

/** Sampling for the in-voice answers when it differs from the run's (e.g. warmer than the extractor). */
export const SamplingOverrideSchema = z.object({
	temperature: z.number().min(0).max(2).optional(),
	top_p: z.number().min(0).max(1).optional(),
	max_tokens: z.number().int().min(1),
	seed: z.number().int().optional(),
	stop: z.array(z.string()).optional()
});
