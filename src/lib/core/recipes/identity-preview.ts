/**
 * What the identity recipes will send, for the run form's preview: the messages of their requests
 * built by the very functions their tasks call (extractorRequest, questionRequest, voiceRequest,
 * expandAssertions), so the preview is the bytes the engine gets, not a description of them.
 * Sampling is left out (the run form shows it beside); a question written by the model during the
 * run (Q&A stage B) is shown as what it is: not known before the run.
 */
import type { ChatMessage, Sampling } from '../contracts/engine';
import { identitySystemPrompt } from './identity-document';
import { assertionsDocument, expandAssertions, type IdentityAssertionsParams } from './identity-assertions';
import { extractorRequest, factFieldLabel, factPassagesOf, type FactField, type IdentityFactsParams } from './identity-facts';
import { questionRequest, voiceRequest, type IdentityQaParams } from './identity-qa';
import type { IdentityDocument } from './sources';

export interface PreviewRequest {
	/** What the request is for ("Maker · passage 2", "Negative: Are you an OpenAI model?"). */
	label: string;
	messages: ChatMessage[];
}

export interface PromptPreview {
	/** The requests shown, in the order the run builds them. */
	requests: PreviewRequest[];
	/** How many requests of this kind the run sends in all (at least requests.length). */
	total: number;
	/** One line on what is not shown, or how the count is made up. */
	note?: string;
	/** Every user message the run sends with the shown system prompt (assertions: each question). */
	userMessages?: string[];
}

/** Sampling does not change the messages; the previews build requests with this. */
const NO_SAMPLING: Sampling = { max_tokens: 1 };

/** Every extractor request of a facts run (one per passage), and the fields they cover. */
export function factsPreview(doc: IdentityDocument, params: IdentityFactsParams): PromptPreview {
	const passages = factPassagesOf(doc, params.passageChars);
	const perField = new Map<FactField, number>();
	for (const { input } of passages) perField.set(input.field, (perField.get(input.field) ?? 0) + 1);
	const requests = passages.map(({ input }) => ({
		label: `${factFieldLabel(input.field)} · passage ${input.passageIndex + 1}`,
		messages: extractorRequest(doc, input, params, NO_SAMPLING).messages
	}));
	const fields = [...perField].map(([field, count]) => `${factFieldLabel(field)} ${count}`).join(' · ');
	return { requests, total: requests.length, note: requests.length ? `One request per passage: ${fields}.` : 'The document has no text to extract facts from.' };
}

/** The question writer's requests for the first `shown` facts, and the system prompt the answers are written with. */
export function qaPreview(doc: IdentityDocument, facts: readonly string[], params: IdentityQaParams, shown = 3): PromptPreview {
	const requests: PreviewRequest[] = facts.slice(0, shown).map((fact, factIndex) => ({
		label: `Questions about fact ${factIndex + 1}`,
		messages: questionRequest(doc, { factIndex, fact }, params.questionsPerFact, NO_SAMPLING).messages
	}));
	const system = identitySystemPrompt(doc);
	const answer = voiceRequest(system, '(each question the writer wrote)', NO_SAMPLING).messages;
	requests.push({ label: 'Each answer, in voice', messages: answer });
	const more = facts.length > shown ? ` The other ${facts.length - shown} facts are asked the same way.` : '';
	return {
		requests,
		total: facts.length * (1 + params.questionsPerFact),
		note: `One question request per fact, then one answer per question (its user message is the question written during the run).${more}`
	};
}

/** Every assertion question, each asked with the same system prompt (the first `shown` in full). */
export function assertionsPreview(doc: IdentityDocument, params: IdentityAssertionsParams, shown = 1): PromptPreview {
	const system = identitySystemPrompt(assertionsDocument(doc, params));
	const questions = expandAssertions(doc, params).filter(({ input }) => input.variant === 0);
	const requests = questions.slice(0, shown).map(({ input }) => ({
		label: `${input.polarity === 'positive' ? 'Positive' : 'Negative'}: ${input.question}`,
		messages: voiceRequest(system, input.question, NO_SAMPLING).messages
	}));
	return { requests, total: questions.length * params.perTemplate, userMessages: questions.map(({ input }) => input.question), note: `The same system prompt with each question (in a seeded order): ${questions.length} questions${params.perTemplate > 1 ? `, ${params.perTemplate} answers each` : ''}.` };
}
