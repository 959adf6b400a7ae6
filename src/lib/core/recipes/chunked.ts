/**
 * The chunked iterative generation recipe (SPEC §8.3, seed 003 done right; see
 * reference/chunked-generation.md for the source program and its defects).
 *
 * One input record per sheet chunk. Per chunk, iteration 1 asks for N prompt/response entries;
 * iterations 2..k send the same chunk with the list of prompts already kept *in this chunk* (never
 * the answers, so the prompt grows linearly and stays bounded) and ask for different ones. What
 * the seed program did wrong and this does instead:
 * - the chunk's context is sent as the system message (the seed printed it and dropped it);
 * - an unusable answer (bad JSON, cut off at max_tokens, no entry with a prompt and a response) is
 *   retried R times and then the iteration is skipped with a logged reason — never a crash, never a
 *   whole chunk lost because iteration 1 failed;
 * - every entry is checked (two non-empty strings), exact-duplicate prompts are dropped and
 *   counted, and the grounding and diversity of what is kept is reported per chunk (chunk-stats).
 *
 * Retries are new yields of the same request (with the next sampling seed, when one is set, so a
 * seeded endpoint does not repeat itself): the dispatcher gives each yield its own step index,
 * so the response cache keeps the failed and the retried answer apart and a resumed run replays
 * exactly what happened without paying again. The task keeps no state outside the generator, as
 * replays require.
 */
import { z } from 'zod';
import type { ChatMessage, ChatRequest, ChatResponse, ResponseFormat, Sampling } from '../contracts/engine';
import { extractRecords } from '../compiler/extract';
import { isRecord, type JsonRecord } from '../json-safety';
import type { InputRecord } from '../runtime/dispatcher';
import { ask, TaskError, type Task, type TaskContext } from '../runtime/task';
import { answerWithoutThinking } from './identity-document';
import {
	answerVoiceInstruction,
	DEFAULT_MAX_PREVIOUS_PROMPTS,
	DEFAULT_PROMPT_TEMPLATE,
	exampleEntry,
	formatInstruction,
	generatorSystemPrompt,
	renderChunkPrompt,
	SEED_SKELETON_PROMPT_TEMPLATE,
	type SystemMessageChoice
} from '../sheets/prompt';
import { DEFAULT_USER_NAME } from '../sheets/character-name';
import { salvageTruncatedRecords } from './salvage';
import { MAX_ENTRIES_PER_ITERATION, MAX_ITERATIONS, type CharacterSheet, type SheetChunk } from '../sheets/sheet';
import { chunkFigureStatsOf } from './chunk-figures';
import { chunkRecordStats, chunkStats, isContentWord, promptKey, wordsOf, type PromptResponsePair } from './chunk-stats';
import type { DraftSample, PreparedRun, Recipe, RecordOutcome, RecordStat, ResolvedSources, RunSettings } from './recipe';

/** Bumped when the prompt wrapping, parsing or sample shape changes (old runs show as stale). */
export const CHUNKED_RECIPE_VERSION = 2;

export { formatInstruction };

/** Used when a run's sampling somehow lacks a usable max_tokens (the type requires one). */
export const DEFAULT_CHUNKED_MAX_TOKENS = 4096;

/** Seed 003's sampling for generating with a small model (MODEL_TEMPERATURE, MODEL_TOP_P). */
export const CHUNKED_SAMPLING = { temperature: 1, top_p: 0.9 } as const;

/**
 * A max_tokens that fits N entries with room to spare: a short prompt and a one-to-three sentence
 * response are about 100–150 tokens with their JSON, so 250 each plus the wrapper. Too low cuts
 * the answer (the complete entries are kept); far too high lets a looping small model run on.
 */
export function chunkedMaxTokens(entriesPerIteration: number): number {
	const entries = Number.isFinite(entriesPerIteration) && entriesPerIteration > 0 ? Math.floor(entriesPerIteration) : 5;
	return Math.min(16_384, 100 + 250 * entries);
}

export const ChunkedParamsSchema = z.object({
	sheetId: z.string().min(1),
	/** A subset of the sheet's chunks (run in sheet order); all chunks when absent. */
	chunkIds: z.array(z.string().min(1)).optional(),
	answerVoice: z.enum(['first-person', 'third-person']).default('first-person'),
	/** Seed 003's MAX_GENERATION_RETRIES. */
	retriesPerIteration: z.number().int().min(0).max(10).default(3),
	/** How many earlier prompts iterations 2..k list (the most recent kept). */
	maxPreviousPrompts: z.number().int().min(0).max(1000).optional(),
	/** The name the prompts use; the sheet's name when absent or blank. */
	characterName: z.string().optional(),
	/** Fills `{{user}}` / `<USER>` in the sheet's text; "User" when absent or blank. */
	userName: z.string().optional(),
	/** 'generator' (default): the model is told it writes dataset entries; 'context': the chunk's context is the system message, as seed 003 did. */
	systemMessage: z.enum(['generator', 'context']).default('generator'),
	/** Overrides every chunk's entries per iteration / iterations when set. */
	entriesPerIteration: z.number().int().min(1).max(MAX_ENTRIES_PER_ITERATION).optional(),
	iterations: z.number().int().min(1).max(MAX_ITERATIONS).optional()
});
export type ChunkedParams = z.infer<typeof ChunkedParamsSchema>;

export interface ChunkedInput {
	sheetId: string;
	chunk: SheetChunk;
	characterName: string;
	/** Who the character is, sent with every chunk (the sheet's introduction; '' = from the chunk's context). */
	introduction?: string;
	/** Position of the chunk in its sheet (0-based). */
	chunkIndex: number;
}

/**
 * json_object mode needs a top-level object, so the entries are asked for under "entries"; the
 * parser also takes a bare array or loose objects (small models ignore the wrapper).
 *
 * The strings carry no `minLength`: XGrammar (web-llm, vLLM) compiles `minLength` to a character
 * class without the escape branch, so the model could never write \" or \n inside an answer and a
 * roleplay answer would end, as valid JSON, at its first quotation mark. Empty strings are
 * dropped by the parser instead (parseChunkAnswer).
 */
export const CHUNK_ENTRIES_SCHEMA = {
	type: 'object',
	properties: {
		entries: {
			type: 'array',
			minItems: 1,
			items: {
				type: 'object',
				properties: { prompt: { type: 'string' }, response: { type: 'string' } },
				required: ['prompt', 'response'],
				additionalProperties: false
			}
		}
	},
	required: ['entries'],
	additionalProperties: false
} as const;

export const CHUNK_RESPONSE_FORMAT: ResponseFormat = { type: 'json_object', schema: CHUNK_ENTRIES_SCHEMA };

function chunkName(chunk: SheetChunk): string {
	return chunk.title.trim() || chunk.id;
}

/** The chunk as the manifest sees it: any edit to these parts makes a run of it stale. */
export function chunkDocumentText(chunk: SheetChunk): string {
	return [chunk.context, chunk.document, JSON.stringify(chunk.settings), chunk.promptTemplate].join('\n----------\n');
}

function samplingOf(settings: RunSettings): Sampling {
	const maxTokens = settings.sampling.max_tokens;
	return { ...settings.sampling, max_tokens: Number.isFinite(maxTokens) && maxTokens > 0 ? Math.floor(maxTokens) : DEFAULT_CHUNKED_MAX_TOKENS };
}

// ---------------------------------------------------------------------------------------------
// Parsing an answer

const PROMPT_KEYS = ['prompt', 'question', 'instruction', 'input'];
const RESPONSE_KEYS = ['response', 'answer', 'output', 'completion'];

function firstString(record: JsonRecord, keys: readonly string[]): string {
	for (const key of keys) {
		const value = record[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
	}
	return '';
}

/** Records nested under a wrapper key the extractor does not know ({"dataset_entries": [...]}). */
function flattenRecords(records: JsonRecord[]): JsonRecord[] {
	return records.flatMap((record) => {
		if (firstString(record, PROMPT_KEYS) || firstString(record, RESPONSE_KEYS)) return [record];
		const lists = Object.values(record).filter((value): value is unknown[] => Array.isArray(value) && value.some(isRecord));
		return lists.length === 1 ? lists[0].filter(isRecord) : [record];
	});
}

const NO_ENTRY = 'answer had no entry with a non-empty "prompt" and "response"';

/** Valid JSON with nothing usable in it (`{"entries": []}`, `[]`): not a JSON failure. */
function parsesAsJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

export type ChunkAnswer =
	| {
			ok: true;
			pairs: PromptResponsePair[];
			dropped: number;
			/** Cut off at max_tokens: `pairs` are the complete entries before the cut, the rest was dropped. */
			truncated?: boolean;
	  }
	| { ok: false; reason: string };

const CUT_OFF = 'answer was cut off at max_tokens (finish reason "length")';

function pairsOfItems(items: readonly JsonRecord[]): { pairs: PromptResponsePair[]; dropped: number } {
	const pairs: PromptResponsePair[] = [];
	for (const item of items) {
		const prompt = firstString(item, PROMPT_KEYS);
		const reply = firstString(item, RESPONSE_KEYS);
		if (prompt && reply) pairs.push({ prompt, response: reply });
	}
	return { pairs, dropped: items.length - pairs.length };
}

/**
 * The usable prompt/response pairs of one answer. An answer cut off at max_tokens (finish reason
 * 'length') keeps the complete entries written before the cut (`truncated`); with none complete it
 * is unusable. Items without a non-empty string prompt and response are dropped (`dropped`).
 */
export function parseChunkAnswer(response: Pick<ChatResponse, 'content' | 'finishReason'>): ChunkAnswer {
	const answer = answerWithoutThinking(response.content);
	if (response.finishReason === 'length') {
		const { pairs, dropped } = pairsOfItems(flattenRecords(salvageTruncatedRecords(answer)));
		if (!pairs.length) return { ok: false, reason: `${CUT_OFF} before one entry was complete` };
		return { ok: true, pairs, dropped, truncated: true };
	}
	const { records, problems } = extractRecords(answer);
	if (!records.length) {
		if (!problems.length && parsesAsJson(answer)) return { ok: false, reason: NO_ENTRY };
		return { ok: false, reason: `answer was not valid JSON (${problems[0]?.reason ?? 'no JSON object found'})` };
	}
	const { pairs, dropped } = pairsOfItems(flattenRecords(records.map((item) => item.record)));
	if (!pairs.length) return { ok: false, reason: NO_ENTRY };
	return { ok: true, pairs, dropped };
}

// ---------------------------------------------------------------------------------------------
// The request of one iteration

/** A listed earlier prompt longer than this is shortened (a model that put an essay in "prompt"). */
export const MAX_LISTED_PROMPT_CHARS = 300;
/** The most characters of earlier prompts one request lists (about 3,000 tokens), the latest kept. */
export const PREVIOUS_PROMPTS_CHAR_BUDGET = 12_000;

/**
 * The earlier prompts to list, bounded in characters as well as in count (the count bound alone
 * lets 100 long prompts crowd a small model's context): each shortened to
 * MAX_LISTED_PROMPT_CHARS, the most recent kept within PREVIOUS_PROMPTS_CHAR_BUDGET. Typical
 * prompts (tens of characters) pass unchanged.
 */
export function boundedPreviousPrompts(prompts: readonly string[]): string[] {
	const out: string[] = [];
	let used = 0;
	for (let i = prompts.length - 1; i >= 0; i--) {
		const prompt = prompts[i].replace(/\s+/g, ' ').trim();
		const listed = prompt.length > MAX_LISTED_PROMPT_CHARS ? `${prompt.slice(0, MAX_LISTED_PROMPT_CHARS - 1).trimEnd()}…` : prompt;
		if (used + listed.length > PREVIOUS_PROMPTS_CHAR_BUDGET) break;
		used += listed.length;
		out.push(listed);
	}
	return out.reverse();
}

export interface ChunkRequestOptions {
	characterName: string;
	userName?: string;
	introduction?: string;
	systemMessage?: SystemMessageChoice;
	iteration: number;
	previousPrompts: readonly string[];
	answerVoice: ChunkedParams['answerVoice'];
	maxPreviousPrompts?: number;
	sampling: Sampling;
}

/** The messages of one iteration, exactly as sent (the previews show these). */
export function chunkMessages(chunk: SheetChunk, options: Omit<ChunkRequestOptions, 'sampling'>): { ok: true; messages: ChatMessage[] } | { ok: false; error: string } {
	const rendered = renderChunkPrompt({
		chunk,
		characterName: options.characterName,
		userName: options.userName,
		introduction: options.introduction,
		systemMessage: options.systemMessage,
		iteration: options.iteration,
		previousPrompts: boundedPreviousPrompts(options.previousPrompts),
		answerVoice: options.answerVoice,
		maxPreviousPrompts: options.maxPreviousPrompts ?? DEFAULT_MAX_PREVIOUS_PROMPTS
	});
	if (!rendered.ok) return rendered;
	const messages: ChatMessage[] = [];
	if (rendered.system) messages.push({ role: 'system', content: rendered.system });
	messages.push({ role: 'user', content: rendered.prompt });
	return { ok: true, messages };
}

export function chunkRequest(chunk: SheetChunk, options: ChunkRequestOptions): { ok: true; request: ChatRequest } | { ok: false; error: string } {
	const built = chunkMessages(chunk, options);
	if (!built.ok) return built;
	return { ok: true, request: { messages: built.messages, sampling: options.sampling, responseFormat: CHUNK_RESPONSE_FORMAT } };
}

// ---------------------------------------------------------------------------------------------
// The task

/**
 * The request of a retry: with a sampling seed set (the run form sets one), a seeded endpoint
 * answers the same request the same way, so a retry would only repeat the broken answer; attempt
 * k asks with seed + k − 1. Without a seed the request is unchanged.
 */
export function retryRequest(request: ChatRequest, attempt: number): ChatRequest {
	const seed = request.sampling.seed;
	if (attempt <= 1 || seed === undefined) return request;
	return { ...request, sampling: { ...request.sampling, seed: (seed + attempt - 1) | 0 } };
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function plural(count: number, word: string, many = `${word}s`): string {
	return `${count} ${count === 1 ? word : many}`;
}

export function chunkedTask(params: ChunkedParams, sampling: Sampling): Task<ChunkedInput, DraftSample> {
	const retries = params.retriesPerIteration;
	return async function* runChunk(input: ChunkedInput, context: TaskContext) {
		const { chunk, characterName, introduction } = input;
		const samples: DraftSample[] = [];
		const prompts: string[] = [];
		const seen = new Set<string>();
		const skipReasons: string[] = [];
		const iterations = chunk.settings.iterations;
		for (let iteration = 1; iteration <= iterations; iteration++) {
			const built = chunkRequest(chunk, {
				characterName,
				userName: params.userName,
				introduction,
				systemMessage: params.systemMessage,
				iteration,
				previousPrompts: prompts,
				answerVoice: params.answerVoice,
				maxPreviousPrompts: params.maxPreviousPrompts,
				sampling
			});
			if (!built.ok) throw new TaskError('bad-template', `Chunk "${chunkName(chunk)}": ${built.error}`);
			const skip = (attempt: number, reason: string) => {
				skipReasons.push(`iteration ${iteration}: ${reason}`);
				context.note({
					level: 'warn',
					kind: 'iteration-skipped',
					message: `Iteration ${iteration}: skipped after ${plural(attempt, 'attempt')}: ${reason}`,
					data: { iteration, attempt, reason }
				});
			};
			for (let attempt = 1; attempt <= retries + 1; attempt++) {
				let response: ChatResponse;
				try {
					response = yield* ask(retryRequest(built.request, attempt));
				} catch (error) {
					if (context.signal.aborted) throw error;
					// The dispatcher already retried what was worth retrying (timeouts, 429, 5xx).
					skip(attempt, `the request failed (${errorMessage(error)})`);
					break;
				}
				const parsed = parseChunkAnswer(response);
				if (!parsed.ok) {
					context.unusable(parsed.reason);
					if (attempt <= retries) {
						context.note({
							level: 'warn',
							kind: 'iteration-retry',
							message: `Iteration ${iteration}: ${parsed.reason}; retrying (${attempt} of ${retries})`,
							data: { iteration, attempt, reason: parsed.reason }
						});
					} else skip(attempt, parsed.reason);
					continue;
				}
				const duplicates: string[] = [];
				let kept = 0;
				for (const pair of parsed.pairs) {
					const key = promptKey(pair.prompt);
					if (seen.has(key)) {
						duplicates.push(pair.prompt);
						continue;
					}
					seen.add(key);
					prompts.push(pair.prompt);
					kept++;
					samples.push({
						messages: [
							{ role: 'user', content: pair.prompt },
							{ role: 'assistant', content: pair.response }
						],
						tags: ['generated', 'chunked'],
						meta: { recipe: 'chunked', sheetId: input.sheetId, chunkId: chunk.id, chunkTitle: chunk.title, characterName, iteration, attempt }
					});
				}
				const cut = parsed.truncated === true;
				context.note({
					level: cut ? 'warn' : 'info',
					kind: 'iteration-ok',
					message: cut
						? `Iteration ${iteration}: answer cut off at max_tokens; kept the ${plural(parsed.pairs.length, 'complete entry', 'complete entries')} written before the cut (${kept} new), the rest was dropped${attempt > 1 ? ` (attempt ${attempt})` : ''}`
						: `Iteration ${iteration}: ${kept === 1 ? '1 entry' : `${kept} entries`} kept${attempt > 1 ? ` on attempt ${attempt}` : ''}${parsed.dropped ? `; ${parsed.dropped} incomplete item${parsed.dropped === 1 ? '' : 's'} ignored` : ''}`,
					// A cut-off answer is not a valid first answer, whatever was salvaged from it.
					data: { iteration, attempt, entries: kept, firstTry: attempt === 1 && !cut, incomplete: parsed.dropped, ...(cut ? { truncated: true, salvaged: parsed.pairs.length } : {}) }
				});
				if (duplicates.length) {
					context.note({
						level: 'warn',
						kind: 'duplicate-dropped',
						message: `Iteration ${iteration}: dropped ${plural(duplicates.length, 'duplicate prompt')}: ${duplicates.map((prompt) => `"${prompt}"`).join(', ')}`,
						data: { iteration, count: duplicates.length, prompts: duplicates }
					});
				}
				break;
			}
		}
		if (skipReasons.length === iterations) {
			throw new TaskError('no-entries', `Every iteration of chunk "${chunkName(chunk)}" was skipped: ${skipReasons.join('; ')}.`);
		}
		return samples;
	};
}

// ---------------------------------------------------------------------------------------------
// Rehearsal: a canned answer of the requested shape

const PREVIOUS_HEADER = /already written in earlier iterations/i;

/** Words of the prompt scaffolding (templates, voice, format line): never taken as chunk words. */
const SCAFFOLD_WORDS = new Set(
	wordsOf(
		[
			DEFAULT_PROMPT_TEMPLATE,
			SEED_SKELETON_PROMPT_TEMPLATE,
			generatorSystemPrompt(''),
			exampleEntry('first-person', ''),
			exampleEntry('third-person', ''),
			formatInstruction(0),
			answerVoiceInstruction('first-person', ''),
			answerVoiceInstruction('third-person', ''),
			// The seed 003 template's own wording.
			'From this document related to the personality and background Imagine questions related create dataset entries prompt response English only cover different aspects required respond first question MUST Answers concise relevant IMPORTANT Format JSON array objects fields'
		].join(' ')
	)
);

function lastUserMessage(request: ChatRequest): string {
	for (let i = request.messages.length - 1; i >= 0; i--) if (request.messages[i].role === 'user') return request.messages[i].content;
	return '';
}

/**
 * N as the request asks for it: the format line (the last "with exactly N entries", since a
 * chunk's own text comes before it), else the template's wording; 1 to the most a chunk may ask
 * for, 3 when it does not say.
 */
export function requestedEntryCount(prompt: string): number {
	const formatLine = [...prompt.matchAll(/with exactly (\d+) entries/gi)].pop();
	const match = formatLine ?? /(\d+)\s+(?:new\s+)?(?:dataset\s+)?entries/i.exec(prompt) ?? /imagine (\d+) questions/i.exec(prompt);
	const count = match ? Number(match[1]) : 3;
	return Math.max(1, Math.min(MAX_ENTRIES_PER_ITERATION, count || 3));
}

/** The prompt without its previous-prompt list, and that list. */
function splitPrevious(prompt: string): { body: string; previous: string[] } {
	const lines = prompt.split('\n');
	const at = lines.findIndex((line) => PREVIOUS_HEADER.test(line));
	if (at < 0) return { body: prompt, previous: [] };
	let end = at + 1;
	const previous: string[] = [];
	while (end < lines.length && lines[end].startsWith('- ')) previous.push(lines[end++].slice(2).trim());
	return { body: [...lines.slice(0, at), ...lines.slice(end)].join('\n'), previous };
}

const QUESTIONS: ((a: string, b: string) => string)[] = [
	(a) => `What can you tell me about ${a}?`,
	(a, b) => `How do you feel about ${a} and ${b}?`,
	(a) => `Why does ${a} matter to you?`,
	(a, b) => `What does ${a} have to do with ${b}?`,
	(a) => `Can you explain what ${a} means to you?`,
	(a, b) => `Is it true that ${a} and ${b} go together for you?`
];
const OPENERS = ['I can tell you this:', 'Well,', 'Of course:', 'Yes, and here is how it is:'];

/**
 * A deterministic answer in the exact shape the recipe asks for: {"entries": [...]} with N
 * entries whose prompts are questions about words of the chunk (so grounding is non-zero), that
 * avoid the prompts the request lists as already written, and whose responses are first-person
 * sentences reusing the chunk's own sentences.
 */
export function rehearseChunkAnswer(request: ChatRequest, random: () => number): string {
	const prompt = lastUserMessage(request);
	const count = requestedEntryCount(prompt);
	const { body, previous } = splitPrevious(prompt);
	// The character's name is all over the scaffolding ("… background of Queen Pédauque:").
	const name = /rather than "(.+?) \.\.\."\)/.exec(prompt)?.[1] ?? /describing (.+?) \(for example/.exec(prompt)?.[1] ?? '';
	const scaffold = new Set([...SCAFFOLD_WORDS, ...wordsOf(name)]);
	// The chunk: fenced off in the default template; else the lines mostly made of words the
	// scaffolding does not use (an introduction prepended to a seed template is not the chunk).
	const fenced = /^"""\n([\s\S]*?)\n"""$/m.exec(body);
	const source = fenced ? fenced[1] : body.split('\n').filter((line) => !/^About [^:\n]+: /.test(line)).join('\n');
	const chunkLines = source.split('\n').filter((line) => {
		const words = wordsOf(line).filter(isContentWord);
		return words.length > 0 && words.filter((word) => !scaffold.has(word.replace(/'s$/, ''))).length / words.length > 0.5;
	});
	// Candidate topics, as first written in the chunk ("Chocolatine", not "chocolatine").
	const written = new Map<string, string>();
	for (const token of chunkLines.join(' ').match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu) ?? []) {
		const [word] = wordsOf(token);
		if (word && !written.has(word) && word.length >= 4 && isContentWord(word) && !scaffold.has(word) && !/^\d+$/.test(word)) written.set(word, token);
	}
	const words = [...written.values()];
	if (!words.length) words.push('yourself');
	const sentences = chunkLines
		.flatMap((line) => line.split(/(?<=[.!?])\s+/))
		.map((sentence) => sentence.replace(/[*#_>`]/g, '').replace(/^\s*[-•]\s*/, '').replace(/\s+/g, ' ').trim())
		.filter((sentence) => wordsOf(sentence).length >= 3);
	const pick = <T>(list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(random() * list.length))];
	const used = new Set(previous.map(promptKey));
	const entries: { prompt: string; response: string }[] = [];
	for (let k = 0; k < count; k++) {
		let question = '';
		let topic = words[0];
		for (let tries = 0; tries < 12; tries++) {
			topic = pick(words);
			question = pick(QUESTIONS)(topic, pick(words));
			if (!used.has(promptKey(question))) break;
		}
		for (let n = 2; used.has(promptKey(question)); n++) question = `${question.replace(/\?$/, '').replace(/ \(\d+\)$/, '')} (${n})?`;
		used.add(promptKey(question));
		const sentence = sentences.find((line) => wordsOf(line).includes(wordsOf(topic)[0])) ?? (sentences.length ? pick(sentences) : `I am who I am, and ${topic} is part of it.`);
		entries.push({ prompt: question, response: `${pick(OPENERS)} ${sentence}` });
	}
	return JSON.stringify({ entries });
}

// ---------------------------------------------------------------------------------------------
// The recipe

function selectedChunks(params: ChunkedParams, sheet: CharacterSheet): { chunk: SheetChunk; index: number }[] {
	const all = sheet.chunks.map((chunk, index) => ({ chunk, index }));
	if (!params.chunkIds) return all;
	const wanted = new Set(params.chunkIds);
	const unknown = params.chunkIds.filter((id) => !sheet.chunks.some((chunk) => chunk.id === id));
	if (unknown.length) throw new Error(`Character sheet "${sheet.name}" has no chunk ${unknown.map((id) => `"${id}"`).join(', ')}.`);
	return all.filter(({ chunk }) => wanted.has(chunk.id));
}

function sheetOf(params: ChunkedParams, sources: ResolvedSources): CharacterSheet {
	const sheet = sources.sheets[params.sheetId];
	if (!sheet) throw new Error(`Character sheet "${params.sheetId}" was not found.`);
	return sheet;
}

/** The chunk with the run's entries/iterations overrides applied. */
function withRunSettings(chunk: SheetChunk, params: ChunkedParams): SheetChunk {
	if (params.entriesPerIteration === undefined && params.iterations === undefined) return chunk;
	return {
		...chunk,
		settings: {
			entriesPerIteration: params.entriesPerIteration ?? chunk.settings.entriesPerIteration,
			iterations: params.iterations ?? chunk.settings.iterations
		}
	};
}

export function prepareChunked(params: ChunkedParams, sources: ResolvedSources, settings: RunSettings): PreparedRun<ChunkedInput> {
	const sheet = sheetOf(params, sources);
	const characterName = params.characterName?.trim() || sheet.name;
	const introduction = sheet.introduction?.trim() ?? '';
	let selected = selectedChunks(params, sheet);
	if (!selected.length) throw new Error(`Character sheet "${sheet.name}" has no chunks to run.`);
	if (settings.limit !== undefined && settings.limit >= 0) selected = selected.slice(0, settings.limit);
	const inputs: InputRecord<ChunkedInput>[] = selected.map(({ chunk, index }) => ({
		id: chunk.id,
		input: { sheetId: sheet.id, chunk: withRunSettings(chunk, params), characterName, ...(introduction ? { introduction } : {}), chunkIndex: index }
	}));
	const documents: Record<string, string> = {};
	if (introduction) documents['introduction'] = introduction;
	for (const { chunk } of selected) {
		let name = `chunk:${chunkName(chunk)}`;
		if (name in documents) name = `chunk:${chunkName(chunk)} (${chunk.id})`;
		documents[name] = chunkDocumentText(withRunSettings(chunk, params));
	}
	return {
		inputs,
		documents,
		definition: {
			recipe: 'chunked',
			version: CHUNKED_RECIPE_VERSION,
			defaultTemplate: DEFAULT_PROMPT_TEMPLATE,
			formatInstruction: formatInstruction(0),
			responseFormat: CHUNK_RESPONSE_FORMAT,
			characterName,
			userName: params.userName?.trim() || DEFAULT_USER_NAME,
			systemMessage: params.systemMessage,
			answerVoice: params.answerVoice,
			retriesPerIteration: params.retriesPerIteration,
			maxPreviousPrompts: params.maxPreviousPrompts ?? DEFAULT_MAX_PREVIOUS_PROMPTS
		}
	};
}

/** The prompt/response pairs of a record's samples (user then assistant message). */
function pairsOf(samples: readonly DraftSample[]): PromptResponsePair[] {
	return samples.flatMap((sample) => {
		const prompt = sample.messages.find((message) => message.role === 'user')?.content;
		const reply = sample.messages.find((message) => message.role === 'assistant')?.content;
		return prompt !== undefined && reply !== undefined ? [{ prompt, response: reply }] : [];
	});
}

export function summarizeChunk(outcome: RecordOutcome<ChunkedInput>): RecordStat[] {
	return chunkRecordStats(chunkStats({ pairs: pairsOf(outcome.samples), notes: outcome.notes, chunkText: outcome.input.chunk.document, characterName: outcome.input.characterName }));
}

export const chunkedRecipe: Recipe<ChunkedParams, ChunkedInput> = {
	id: 'chunked',
	label: 'Chunked iterative generation',
	description: 'Asks the model, chunk by chunk of a character sheet, for prompt/response entries over several iterations, each asking for prompts not yet written.',
	output: 'entries',
	version: CHUNKED_RECIPE_VERSION,
	params: ChunkedParamsSchema,
	sources: (params) => [{ kind: 'sheet', id: params.sheetId }],
	prepare: prepareChunked,
	task: (params, _sources, settings) => chunkedTask(params, samplingOf(settings)),
	// With its steps, a chunk's figures are counted from the answers as sent (chunk-figures.ts).
	summarize: (outcome, _sources, params) => (outcome.steps ? chunkFigureStatsOf(outcome, params.retriesPerIteration ?? 2, (answer) => { const parsed = parseChunkAnswer(answer); return parsed.ok ? parsed.pairs : null; }) : summarizeChunk(outcome)),
	summarizesFailed: true,
	groundingSource: (input) => ({ text: input.chunk.document, ignore: [input.characterName] }),
	expectedSteps: (input) => input.chunk.settings.iterations,
	recordLabel: (input) => `Chunk ${input.chunkIndex + 1}: ${chunkName(input.chunk)}`,
	rehearse: rehearseChunkAnswer
};
