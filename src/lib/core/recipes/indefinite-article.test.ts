import { describe, expect, it } from 'vitest';
import { fixArticlesBefore, indefiniteArticle, withArticle } from './indefinite-article';

describe('indefiniteArticle', () => {
	it('reads brand words by their first sound', () => {
		const cases: [string, 'a' | 'an'][] = [
			['OpenAI', 'an'],
			['Anthropic', 'an'],
			['Alibaba', 'an'],
			['EleutherAI', 'an'],
			['Inflection', 'an'],
			['Uber', 'an'],
			['Google', 'a'],
			['Meta', 'a'],
			['Mistral AI', 'a'],
			['Qwen', 'a'],
			['Llama', 'a'],
			['ChatGPT', 'a'],
			['Claude', 'a'],
			['DeepSeek', 'a'],
			['Hugging Face', 'a']
		];
		for (const [name, article] of cases) expect([name, indefiniteArticle(name)]).toEqual([name, article]);
	});

	it('reads acronyms letter by letter', () => {
		const cases: [string, 'a' | 'an'][] = [
			['LLM', 'an'],
			['GPT-4', 'a'],
			['GPT', 'a'],
			['IBM', 'an'],
			['AI21 Labs', 'an'],
			['SDK', 'an'],
			['HP', 'an'],
			['NVIDIA', 'an'],
			['MS', 'an'],
			['USA', 'a'],
			['LLaMA', 'an'],
			['X', 'an'],
			['RWKV', 'an']
		];
		for (const [name, article] of cases) expect([name, indefiniteArticle(name)]).toEqual([name, article]);
	});

	it('says all-caps words as words when they can be (NASA, BLOOM)', () => {
		expect(indefiniteArticle('NASA')).toBe('a');
		expect(indefiniteArticle('BLOOM')).toBe('a');
		expect(indefiniteArticle('FALCON')).toBe('a');
	});

	it('says a lowercase letter before a capital by its letter name (xAI, iPhone, eBay)', () => {
		expect(indefiniteArticle('xAI')).toBe('an');
		expect(indefiniteArticle('iPhone')).toBe('an');
		expect(indefiniteArticle('eBay')).toBe('an');
		expect(indefiniteArticle('pplx')).toBe('a');
	});

	it('knows the vowel letters said as consonants and the silent h', () => {
		expect(indefiniteArticle('Unicorn')).toBe('a');
		expect(indefiniteArticle('user-tuned model')).toBe('a');
		expect(indefiniteArticle('European lab')).toBe('a');
		expect(indefiniteArticle('one-off')).toBe('a');
		expect(indefiniteArticle('umbrella')).toBe('an');
		expect(indefiniteArticle('hour')).toBe('an');
		expect(indefiniteArticle('honest mistake')).toBe('an');
		expect(indefiniteArticle('hobby project')).toBe('a');
	});

	it('reads numbers as said: an 8B, an 11B, an 18, a 110, a 1B', () => {
		expect(indefiniteArticle('8B')).toBe('an');
		expect(indefiniteArticle('11B')).toBe('an');
		expect(indefiniteArticle('18')).toBe('an');
		expect(indefiniteArticle('11,000')).toBe('an');
		expect(indefiniteArticle('110')).toBe('a');
		expect(indefiniteArticle('1B')).toBe('a');
		expect(indefiniteArticle('')).toBe('a');
		expect(indefiniteArticle('"OpenAI"')).toBe('an');
	});

	it('joins the article and the name', () => {
		expect(withArticle('OpenAI')).toBe('an OpenAI');
		expect(withArticle('GPT-4')).toBe('a GPT-4');
	});
});

describe('fixArticlesBefore', () => {
	it('matches the article before a placeholder to the value, keeping its capital', () => {
		expect(fixArticlesBefore('Are you a {{maker}} model?', { maker: 'OpenAI' })).toBe('Are you an {{maker}} model?');
		expect(fixArticlesBefore('Are you an {{maker}} model?', { maker: 'Google' })).toBe('Are you a {{maker}} model?');
		expect(fixArticlesBefore('A {{other}} clone, then?', { other: 'LLM' })).toBe('An {{other}} clone, then?');
		expect(fixArticlesBefore('Is this {{ other }}?', { other: 'OpenAI' })).toBe('Is this {{ other }}?');
		// Only whole words "a"/"an" change; a placeholder with no value stays as written.
		expect(fixArticlesBefore('Santa {{maker}} and a {{name}}', { maker: 'OpenAI' })).toBe('Santa {{maker}} and a {{name}}');
	});
});
