/**
 * What a chat template does to an entry that its author may not expect, found by comparing the
 * messages with the render: the template refused the conversation (its own raise_exception
 * message), content it drops or rewrites (a system prompt merged into the first user turn, think
 * blocks removed from earlier turns, tool calls or speaker names not rendered, messages of a role
 * it ignores), and, once tokens are counted, a conversation longer than `max_seq_len`.
 */
import type { TemplateConversation, TemplateMessage } from './render';
import { TemplateRaisedError, TemplateRenderError } from './render';

export type TemplateFindingCode =
	| 'template-raised'
	| 'template-failed'
	| 'system-merged'
	| 'think-removed'
	| 'tool-call-dropped'
	| 'content-dropped'
	| 'content-rewritten'
	| 'speaker-name-dropped'
	| 'over-max-seq-len';

export interface TemplateFinding {
	code: TemplateFindingCode;
	severity: 'error' | 'warning';
	/** The message it is about, when it is about one. */
	message?: number;
	text: string;
	/** The difference: what the data says, and what the render holds instead (null: nothing). */
	expected?: string;
	rendered?: string | null;
}

/** The finding for a render that threw. */
export function renderErrorFinding(error: unknown): TemplateFinding {
	if (error instanceof TemplateRaisedError) {
		return { code: 'template-raised', severity: 'error', text: `The template refuses this conversation: "${error.templateMessage}"` };
	}
	const detail = error instanceof TemplateRenderError ? error.message : `The chat template failed: ${error instanceof Error ? error.message : String(error)}`;
	return { code: 'template-failed', severity: 'error', text: detail };
}

const THINK_BLOCK = /<think>[\s\S]*?<\/think>/g;
const EXCERPT = 160;

function excerpt(text: string): string {
	return text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text;
}

function textOf(content: unknown): string | null {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		const parts = content.map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''));
		return parts.join('');
	}
	return null;
}

/** Where the render holds the start of `text` (its first line, trimmed), for showing what it became. */
function renderedAround(rendered: string, text: string): string | null {
	const firstLine = text.trim().split('\n')[0].slice(0, 40);
	if (firstLine === '') return null;
	const at = rendered.indexOf(firstLine);
	return at === -1 ? null : excerpt(rendered.slice(at, at + text.length + 40));
}

/**
 * Whether the render keeps a think block's reasoning as reasoning: right after a <think> tag.
 * The reasoning's words found elsewhere (the answer often repeats them: "91 = 7 × 13") do not count.
 */
function thinkRendered(rendered: string, reasoning: string): boolean {
	if (reasoning === '') return true;
	for (let at = rendered.indexOf(reasoning); at !== -1; at = rendered.indexOf(reasoning, at + 1)) {
		if (rendered.slice(Math.max(0, at - 16), at).trimEnd().endsWith('<think>')) return true;
	}
	return false;
}

function label(message: TemplateMessage, index: number): string {
	return `${message.role} message ${index + 1}`;
}

/**
 * Where the render joins a system prompt to the first user turn (only whitespace between them:
 * they share one turn), as an excerpt that shows the join: the turn's header, the system prompt
 * (its middle elided when long) and the start of the user's text. Null when they are apart.
 */
function systemMerged(conversation: TemplateConversation, rendered: string, index: number, content: string): string | null {
	const firstUser = conversation.messages.findIndex((m, i) => i > index && m.role === 'user');
	if (firstUser === -1) return null;
	const userText = textOf(conversation.messages[firstUser].content)?.trim();
	if (!userText) return null;
	const at = rendered.indexOf(content);
	const userAt = rendered.indexOf(userText, at + content.length);
	if (at === -1 || userAt === -1 || rendered.slice(at + content.length, userAt).trim() !== '') return null;
	const lineStart = rendered.lastIndexOf('\n', at - 2) + 1;
	const header = rendered.slice(Math.max(lineStart, at - 40), at);
	const system = content.length > 100 ? `${content.slice(0, content.lastIndexOf(' ', 50))} … ${content.slice(content.indexOf(' ', content.length - 40) + 1)}` : content;
	const user = userText.length > 50 ? `${userText.slice(0, 49)}…` : userText;
	return header + system + rendered.slice(at + content.length, userAt) + user;
}

function toolCallFindings(message: TemplateMessage, index: number, rendered: string): TemplateFinding[] {
	const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]) : [];
	const findings: TemplateFinding[] = [];
	calls.forEach((call, k) => {
		const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
		const name = typeof fn?.name === 'string' ? fn.name : null;
		if (name === null) return;
		const args = fn?.arguments;
		const values = args && typeof args === 'object' ? Object.values(args as Record<string, unknown>).filter((v): v is string => typeof v === 'string') : [];
		const missingValue = values.find((v) => !rendered.includes(v) && !rendered.includes(JSON.stringify(v).slice(1, -1)));
		if (!rendered.includes(name) || missingValue !== undefined) {
			findings.push({
				code: 'tool-call-dropped',
				severity: 'warning',
				message: index,
				text: `Tool call ${k + 1} of ${label(message, index)} (${name}) is not rendered${missingValue !== undefined ? ' in full' : ''}: the model never sees it.`,
				expected: excerpt(JSON.stringify(call)),
				rendered: rendered.includes(name) ? renderedAround(rendered, name) : null
			});
		}
	});
	return findings;
}

/** Findings about content, for a render that succeeded. */
export function contentFindings(conversation: TemplateConversation, rendered: string): TemplateFinding[] {
	const findings: TemplateFinding[] = [];
	conversation.messages.forEach((message, index) => {
		findings.push(...toolCallFindings(message, index, rendered));
		if (typeof message.name === 'string' && message.name !== '' && !rendered.includes(message.name)) {
			findings.push({ code: 'speaker-name-dropped', severity: 'warning', message: index, text: `The speaker name "${message.name}" of ${label(message, index)} is not rendered.`, expected: message.name, rendered: null });
		}
		const thinking = typeof message.thinking === 'string' ? message.thinking : typeof message.reasoning_content === 'string' ? message.reasoning_content : null;
		if (thinking && thinking.trim() !== '' && !rendered.includes(thinking.trim())) {
			findings.push({ code: 'think-removed', severity: 'warning', message: index, text: `The reasoning of ${label(message, index)} is removed by the template: the model is not trained on it.`, expected: excerpt(thinking), rendered: null });
		}
		const content = textOf(message.content)?.trim();
		if (!content) return;
		if (rendered.includes(content)) {
			const merged = message.role === 'system' ? systemMerged(conversation, rendered, index, content) : null;
			if (merged !== null) {
				findings.push({ code: 'system-merged', severity: 'warning', message: index, text: `The template has no system turn: the system prompt is merged into the first user turn.`, expected: excerpt(content), rendered: merged });
			}
			return;
		}
		const withoutThink = content.replace(THINK_BLOCK, '').trim();
		if (withoutThink !== content && (withoutThink === '' || rendered.includes(withoutThink))) {
			const blocks = content.match(THINK_BLOCK) ?? [];
			const kept = blocks.filter((block) => thinkRendered(rendered, block.slice('<think>'.length, -'</think>'.length).trim()));
			if (kept.length < blocks.length) {
				findings.push({ code: 'think-removed', severity: 'warning', message: index, text: `The <think> block of ${label(message, index)} is removed by the template: the model is not trained on its reasoning.`, expected: excerpt(blocks.join('\n')), rendered: withoutThink === '' ? null : renderedAround(rendered, withoutThink) });
			}
			return;
		}
		// Templates that pass a tool result through tojson (Llama 3.1, gpt-oss) quote and escape it.
		const quoted = JSON.stringify(content);
		if (rendered.includes(quoted)) {
			findings.push({ code: 'content-rewritten', severity: 'warning', message: index, text: `The content of ${label(message, index)} is rendered as a JSON string (quoted and escaped).`, expected: excerpt(content), rendered: excerpt(quoted) });
			return;
		}
		const around = renderedAround(rendered, content);
		findings.push(
			around === null
				? { code: 'content-dropped', severity: 'warning', message: index, text: `The content of ${label(message, index)} is not rendered: the template ignores it.`, expected: excerpt(content), rendered: null }
				: { code: 'content-rewritten', severity: 'warning', message: index, text: `The content of ${label(message, index)} is rendered differently from the data.`, expected: excerpt(content), rendered: around }
		);
	});
	return findings;
}

export interface LengthCheck {
	totalTokens: number;
	maxSeqLen: number;
	/** Token index where each assistant span starts and ends ([start, end)), in order. */
	assistantTokenSpans: Array<{ start: number; end: number }>;
}

/** Over max_seq_len: how many tokens a trainer cuts, and what happens to the last assistant turn. */
export function lengthFinding({ totalTokens, maxSeqLen, assistantTokenSpans }: LengthCheck): TemplateFinding | null {
	if (totalTokens <= maxSeqLen) return null;
	const cut = totalTokens - maxSeqLen;
	const last = assistantTokenSpans[assistantTokenSpans.length - 1];
	let fate = '';
	if (last) fate = last.start >= maxSeqLen ? ' The last assistant turn is lost entirely.' : last.end > maxSeqLen ? ` The last assistant turn loses ${last.end - maxSeqLen} of its ${last.end - last.start} tokens.` : ' The last assistant turn is kept.';
	return {
		code: 'over-max-seq-len',
		severity: 'warning',
		text: `${totalTokens.toLocaleString('en-US')} tokens under the template, over max_seq_len ${maxSeqLen.toLocaleString('en-US')}: ${cut.toLocaleString('en-US')} would be cut.${fate}`
	};
}
