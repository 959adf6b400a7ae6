/**
 * Workspace backup and restore at scale (issue 18), against the full-fidelity (Skein JSONL)
 * export and import of the same dataset measured in the same run:
 *
 * - export_full_100k_s: the Skein-format export of the imported 100k dataset (click → download);
 * - backup_100k_s: "Download a backup" of a workspace holding that dataset and nothing else (a
 *   fresh profile in `npm run bench`: its original file, working copy, settings; response cache
 *   left out, as by default), click → download;
 * - import_full_100k_s: importing that Skein export into a fresh profile (the import report's time);
 * - restore_100k_s: restoring the backup into another fresh profile: checking the whole file and
 *   planning (choose the file → preview) plus writing it (Restore → done).
 *
 * Ratios: backup / full export and restore / full import (goal: each at most 2).
 *
 * `npm run bench` also backs up and restores its own fuller workspace after every other stage
 * (workspace_all_*: the views' datasets, runs with their records and samples, history), printed
 * as megabytes per second beside the full-fidelity export's and import's.
 * `node scripts/bench/backup.mjs` runs only these (importing the bench dataset first);
 * options (env): BENCH_LINES (default 100000), BENCH_SKIP_BUILD=1, BENCH_KEEP_BACKUP=path (keep the backup),
 * BENCH_RESTORE_FILE=path (only time the restore of a kept backup; needs a build).
 */
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importAndOpen, launchBenchBrowser, prepareStandaloneBench } from './browser.mjs';

/** Pages of this bench have no save picker, so the backup is the download path (headless Chromium shows no picker). */
async function withoutSavePicker(page) {
	await page.addInitScript(() => delete (/** @type {any} */ (window)).showSaveFilePicker);
}

/**
 * "Download a backup" of the page's workspace, timed click → download.
 * @param {import('@playwright/test').Page} page
 * @param {string} serverUrl
 * @param {string} backupPath where the backup is saved
 */
async function timeBackup(page, serverUrl, backupPath) {
	await withoutSavePicker(page);
	await page.goto(`${serverUrl}/backup`);
	const start = Date.now();
	const [download] = await Promise.all([page.waitForEvent('download', { timeout: 600_000 }), page.getByTestId('backup-now').click()]);
	await download.saveAs(backupPath);
	const ms = Date.now() - start;
	// BENCH_KEEP_BACKUP=path keeps the last backup made, to time a restore of it again (BENCH_RESTORE_FILE).
	if (process.env.BENCH_KEEP_BACKUP) copyFileSync(backupPath, process.env.BENCH_KEEP_BACKUP);
	return ms;
}

/**
 * The figures of issue 18, on a workspace that holds the bench dataset (imported and open in
 * `page`) and nothing else.
 * @param {import('@playwright/test').Page} page a page of the app with the dataset imported and open
 * @param {string} workDir where downloads are saved
 * @param {string} serverUrl
 */
export async function benchBackup(page, workDir, serverUrl) {
	// Full-fidelity export of the open dataset.
	await page.getByTestId('export-menu').click();
	const exportStart = Date.now();
	const [fullDownload] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), page.getByTestId('export-skein').click()]);
	const fullExportPath = join(workDir, 'full.jsonl');
	await fullDownload.saveAs(fullExportPath);
	const fullExportMs = Date.now() - exportStart;

	// The whole workspace's backup, downloaded.
	const backupPath = join(workDir, 'backup.zip');
	const backupMs = await timeBackup(page, serverUrl, backupPath);

	// A fresh profile: the full-fidelity import of the export.
	const importer = await launchBenchBrowser('skein-bench-import-');
	let fullImportMs;
	try {
		await importer.page.goto(serverUrl);
		await importer.page.getByTestId('dataset-row').first().waitFor({ timeout: 30_000 });
		await importer.page.setInputFiles('[data-testid=file-input]', fullExportPath);
		const report = importer.page.locator('[data-testid=import-report]');
		await report.waitFor({ timeout: 300_000 });
		fullImportMs = Number(await report.getAttribute('data-duration-ms'));
	} finally {
		await importer.close();
	}

	const restoreMs = await timeRestore(serverUrl, backupPath);
	return { fullExportMs, backupMs, fullImportMs, restoreMs, backupBytes: statSync(backupPath).size, fullExportBytes: statSync(fullExportPath).size };
}

/**
 * Backup and restore of a fuller workspace (`npm run bench`'s own, after every other stage: the
 * bench dataset, the views' datasets, three runs with their records and samples, history), as
 * throughput, to compare per megabyte with the full-fidelity export and import of benchBackup.
 * @param {import('@playwright/test').Page} page
 * @param {string} workDir
 * @param {string} serverUrl
 */
export async function benchWholeWorkspace(page, workDir, serverUrl) {
	const backupPath = join(workDir, 'workspace.zip');
	const backupMs = await timeBackup(page, serverUrl, backupPath);
	const restoreMs = await timeRestore(serverUrl, backupPath);
	return { workspaceBackupMs: backupMs, workspaceRestoreMs: restoreMs, workspaceBytes: statSync(backupPath).size };
}

/**
 * Restores a backup into a fresh profile: checking the whole file and planning (choose the file →
 * preview) plus writing it (Restore → done), in milliseconds.
 * @param {string} serverUrl
 * @param {string} backupPath
 */
export async function timeRestore(serverUrl, backupPath) {
	const restorer = await launchBenchBrowser('skein-bench-restore-');
	try {
		await restorer.page.goto(serverUrl);
		await restorer.page.getByTestId('dataset-row').first().waitFor({ timeout: 30_000 });
		await restorer.page.goto(`${serverUrl}/backup`);
		const start = Date.now();
		await restorer.page.setInputFiles('[data-testid=restore-file]', backupPath);
		await restorer.page.getByTestId('restore-confirm').waitFor({ timeout: 600_000 });
		const inspectMs = Date.now() - start;
		const writeStart = Date.now();
		await restorer.page.getByTestId('restore-confirm').click();
		await restorer.page.getByTestId('backup-status').filter({ hasText: 'Restored' }).waitFor({ timeout: 600_000 });
		const writeMs = Date.now() - writeStart;
		// Where a slow restore spends its time (stderr, beside the stage progress).
		console.error(`[bench] restore: checking and planning ${(inspectMs / 1000).toFixed(1)} s, writing ${(writeMs / 1000).toFixed(1)} s`);
		return inspectMs + writeMs;
	} finally {
		await restorer.close();
	}
}

/** The figures `npm run bench` keeps per repetition (the median of each is printed). */
export const BACKUP_FIGURES = ['fullExportMs', 'backupMs', 'backupBytes', 'fullExportBytes', 'fullImportMs', 'restoreMs', 'workspaceBackupMs', 'workspaceRestoreMs', 'workspaceBytes'];

/** The lines `npm run bench` prints for these figures (the whole-workspace ones when measured). */
export function backupBenchLines(label, m) {
	const fixed = (n, digits = 2) => Number(n).toFixed(digits);
	const perS = (bytes, ms) => fixed(bytes / 1024 / 1024 / (ms / 1000), 1);
	const lines = [
		`export_full_${label}_s: ${fixed(m.fullExportMs / 1000)}`,
		`backup_${label}_s: ${fixed(m.backupMs / 1000)}`,
		`backup_${label}_ratio: ${fixed(m.backupMs / m.fullExportMs)}`,
		`backup_${label}_bytes: ${m.backupBytes}`,
		`import_full_${label}_s: ${fixed(m.fullImportMs / 1000)}`,
		`restore_${label}_s: ${fixed(m.restoreMs / 1000)}`,
		`restore_${label}_ratio: ${fixed(m.restoreMs / m.fullImportMs)}`
	];
	if (m.workspaceBytes) {
		lines.push(
			`export_full_${label}_mb_per_s: ${perS(m.fullExportBytes, m.fullExportMs)}`,
			`import_full_${label}_mb_per_s: ${perS(m.fullExportBytes, m.fullImportMs)}`,
			`workspace_all_bytes: ${m.workspaceBytes}`,
			`backup_workspace_all_s: ${fixed(m.workspaceBackupMs / 1000)}`,
			`backup_workspace_all_mb_per_s: ${perS(m.workspaceBytes, m.workspaceBackupMs)}`,
			`restore_workspace_all_s: ${fixed(m.workspaceRestoreMs / 1000)}`,
			`restore_workspace_all_mb_per_s: ${perS(m.workspaceBytes, m.workspaceRestoreMs)}`
		);
	}
	return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
	const { startStaticServer } = await import('../static-server.mjs');
	if (process.env.BENCH_RESTORE_FILE) {
		// Only the restore of a kept backup (BENCH_KEEP_BACKUP), timed again.
		const server = await startStaticServer({ port: 0 });
		try {
			console.log(`restore_file_s: ${((await timeRestore(server.url, process.env.BENCH_RESTORE_FILE)) / 1000).toFixed(2)}`);
		} finally {
			await server.close();
		}
		process.exit(0);
	}
	const { label, dataFile } = prepareStandaloneBench();
	const server = await startStaticServer({ port: 0 });
	const { page, profile, close } = await launchBenchBrowser('skein-bench-backup-', { acceptDownloads: true });
	try {
		await importAndOpen(page, server.url, dataFile);
		const figures = await benchBackup(page, profile, server.url);
		for (const line of backupBenchLines(label, figures)) console.log(line);
	} finally {
		await close();
		await server.close();
	}
}
