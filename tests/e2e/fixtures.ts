import { test as base, expect } from '@playwright/test';

/**
 * `test` for every journey: any uncaught error in the page (or a worker call that fails without a
 * handler) fails the test, even when the page still looks right.
 */
export const test = base.extend<{ pageErrors: string[] }>({
	pageErrors: [
		async ({ page }, use) => {
			const errors: string[] = [];
			page.on('pageerror', (error) => errors.push(error.message));
			await use(errors);
			expect(errors, 'uncaught errors in the page').toEqual([]);
		},
		{ auto: true }
	]
});

export { expect };
