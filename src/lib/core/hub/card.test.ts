import { describe, expect, it } from 'vitest';
import { checkCard, hubShardPath, parseCard, pathMatches, sizeCategory } from './card';

describe('Hub card rules', () => {
	it("size categories are the Hub's buckets", () => {
		expect([0, 999, 1_000, 9_999, 10_000, 100_000, 999_999, 1_000_000, 5e12].map(sizeCategory)).toEqual(['n<1K', 'n<1K', '1K<n<10K', '1K<n<10K', '10K<n<100K', '100K<n<1M', '100K<n<1M', '1M<n<10M', 'n>1T']);
	});

	it('shard paths as push_to_hub names them, and data_files patterns match them', () => {
		expect(hubShardPath('train', 1, 3, 'parquet')).toBe('data/train-00001-of-00003.parquet');
		expect(pathMatches('data/train-*', 'data/train-00001-of-00003.parquet')).toBe(true);
		expect(pathMatches('data/train-*', 'data/validation-00000-of-00001.parquet')).toBe(false);
		expect(pathMatches('data/*.parquet', 'data/x/y.parquet')).toBe(false);
	});

	it('a card without front matter, without a license, or with splits that miss files is refused with the reason', () => {
		const files = [{ split: 'train' as const, paths: ['data/train-00000-of-00001.parquet'], entries: 3 }];
		expect(checkCard('# Just a title\n', files)).toEqual(['the card has no YAML front matter: it must start with a line "---", the metadata, and another "---"']);
		expect(parseCard('---\nlicense: mit\n---\n# Body\n')).toEqual({ ok: true, metadata: { license: 'mit' }, body: '# Body\n' });
		expect(checkCard('---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n---\n', files)).toEqual(['the front matter has no license']);
		expect(checkCard('---\nlicense: mit\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n  - split: test\n    path: data/test-*\ndataset_info:\n  splits:\n  - name: train\n    num_examples: 4\n---\n', files)).toEqual([
			'the split "test" is declared in configs → data_files but has no files in the zip',
			'dataset_info says the split "train" has 4 examples, but its files have 3'
		]);
		expect(checkCard('---\nlicense: other\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n---\n', files)).toEqual([
			'license "other" needs license_name (an id such as my-license-1.0) and license_link (LICENSE.md or a URL)'
		]);
	});
});
