/** Number and size formatting shared by the UI (pure, so it is tested in Node). */

export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '—';
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}
	return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatCount(n: number): string {
	return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
	return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "just now", "5 min ago", "3 h ago", then the date. */
export function formatAge(timestamp: number, now = Date.now()): string {
	const seconds = Math.max(0, Math.round((now - timestamp) / 1000));
	if (seconds < 45) return 'just now';
	const minutes = Math.round(seconds / 60);
	if (minutes < 60) return `${minutes} min ago`;
	const hours = Math.round(minutes / 60);
	if (hours < 24) return `${hours} h ago`;
	const days = Math.round(hours / 24);
	if (days < 7) return `${days} d ago`;
	return new Date(timestamp).toISOString().slice(0, 10);
}

/**
 * One structured content part as preview text: OpenAI's `{type: 'text', text}` and LLaMA-Factory's
 * `{type: 'text' | 'reasoning', value}` show their text; anything else names its type ("[image]").
 */
function partPreview(part: unknown): string {
	if (typeof part === 'string') return part;
	if (!part || typeof part !== 'object') return '[content]';
	const { type, text, value } = part as { type?: unknown; text?: unknown; value?: unknown };
	if (typeof text === 'string') return text;
	if ((type === 'text' || type === 'reasoning') && typeof value === 'string') return value;
	if (typeof type === 'string' && type !== '') return `[${type.replace(/_url$/, '').replace(/_/g, ' ')}]`;
	return '[content]';
}

/** A short one-line preview of a message's content. */
export function previewText(content: unknown, max = 160): string {
	let text: string;
	if (typeof content === 'string') text = content;
	else if (content === null || content === undefined) text = '';
	else if (Array.isArray(content)) {
		text = content.map(partPreview).join(' ');
	} else text = JSON.stringify(content);
	// Collapsing whitespace only shortens: look at a bounded head, not a 30 MB message.
	if (text.length > max * 8 + 64) text = text.slice(0, max * 8 + 64);
	text = text.replace(/\s+/g, ' ').trim();
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A message's preview: its text, or for a turn that only calls tools, which tools it calls. */
export function messagePreview(message: { content: unknown; tool_calls?: unknown }, max = 160): string {
	const text = previewText(message.content, max);
	if (text !== '' || !Array.isArray(message.tool_calls) || message.tool_calls.length === 0) return text;
	const names = message.tool_calls.map((call: unknown) => {
		const fn = call && typeof call === 'object' ? (call as { function?: { name?: unknown } }).function : undefined;
		return typeof fn?.name === 'string' ? fn.name : '?';
	});
	return previewText(`[calls ${names.join(', ')}]`, max);
}

/** CSS class for a role chip: the four standard roles, or 'other' for custom speaker names. */
export function roleClass(role: string): string {
	return role === 'system' || role === 'user' || role === 'assistant' || role === 'tool' ? role : 'other';
}

/** Characters of one message (or raw JSON) the entry view shows before "show more". */
export const TEXT_EXCERPT_CHARS = 20_000;
/** "30.2 MB", "812 KB", "96 characters": the size of a long text, for "show all". */
export function textSize(length: number): string {
	if (length >= 1_000_000) return `${(length / 1_000_000).toFixed(1)} M characters`;
	if (length >= 10_000) return `${Math.round(length / 1000).toLocaleString('en-US')} K characters`;
	return `${length.toLocaleString('en-US')} characters`;
}

/**
 * Above this many characters the editor does not put a message in a text box (a 30 MB textarea
 * froze the tab on open and on every keystroke): it shows an excerpt with download, replace from
 * a file, and a full-size text box opened only after a warning.
 */
export const HUGE_MESSAGE_CHARS = 200_000;
