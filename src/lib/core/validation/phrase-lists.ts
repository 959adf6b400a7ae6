/** Curated English phrase lists for the text rules (lower-case, straight apostrophes). */

/** Lower-case; apostrophes are straight (curly ones are folded by `lowerCased`). */
export const REFUSAL_PHRASES: readonly string[] = [
	'as an ai language model',
	'as an ai model',
	'as an ai assistant',
	'as an artificial intelligence',
	'as a language model',
	'as a large language model',
	"i'm just a language model",
	'i am just a language model',
	"i'm only an ai",
	"i'm just an ai",
	"i'm sorry, but i can't",
	"i'm sorry, but i cannot",
	'i am sorry, but i cannot',
	"i'm sorry, i can't",
	'i cannot assist with',
	"i can't assist with",
	'i cannot help with that',
	"i can't help with that",
	'i cannot fulfill',
	"i can't fulfill",
	"i'm unable to comply",
	"i'm not able to provide",
	'i am not able to provide',
	"i don't have personal",
	'i do not have personal',
	"i don't have feelings",
	'i do not have feelings',
	'i must remind you that',
	"it's important to note that i",
	'against my programming',
	'content policy',
	'my knowledge cutoff',
	'my training data'
];

/** Lower-case error markers (also the exact list error-text reports from). */
export const ERROR_MARKERS: readonly string[] = [
	'error code:',
	'traceback (most recent call last)',
	'rate limit',
	'rate_limit',
	'ratelimiterror',
	'too many requests',
	'internal server error',
	'bad gateway',
	'service unavailable',
	'context_length_exceeded',
	'maximum context length',
	'insufficient_quota',
	'request timed out',
	'<!doctype html',
	'<html'
];
