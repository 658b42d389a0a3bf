import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { withTotals, type BatchRowSummary, type BatchSummary } from '../../batch';
import { formatUsd } from '../../engine/estimate-cost';
import { BATCH_FILE, readBatchFile, writeFileAtomic } from '../batch/batch-file';
import type { CliCommand } from '../cli/args';
import { EXIT } from '../cli/run-command';
import type { CliDeps } from '../cli/run-cli';
import { migrate } from '../pg/migrations';
import { PgAssetStore } from '../pg/pg-asset-store';
import { createPgPool } from '../pg/pg-pool';
import { shownUrl } from './queue-services';
import { writeRowFolder } from './row-folder';

type CollectCommand = Extract<CliCommand, { command: 'collect' }>;

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

/**
 * `collect --queue URL --out DIR [--batch ID]`: writes a batch's rows from PostgreSQL to disk
 * without running or submitting anything — every finished row's folder (images and manifest)
 * and `batch.json` — e.g. on another machine, or after the coordinator was lost. The batch is
 * the one `<out>/batch.json` names unless `--batch` says. Rows still running are listed as such.
 */
export async function runCollectCommand(cmd: CollectCommand, deps: CliDeps): Promise<number> {
  const outDir = resolve(deps.cwd, cmd.out);
  await mkdir(outDir, { recursive: true });
  const earlier = await readBatchFile(outDir);
  const batchId = cmd.batchId ?? earlier.summary?.batchId;
  if (!batchId) {
    deps.stderr(`collect needs --batch <id>: ${join(outDir, BATCH_FILE)} ${earlier.problem ? `cannot be read (${earlier.problem})` : 'does not exist'}.`);
    return EXIT.usage;
  }
  const pool = createPgPool(cmd.queue, { max: 4, applicationName: 'sequence-studio-collect' });
  try {
    await migrate(pool);
    const head = await pool.query<{ origin: string; mode: string; created: number }>(
      'SELECT origin, mode, (extract(epoch FROM created_at) * 1000)::float8 AS created FROM batches WHERE batch_id = $1',
      [batchId],
    );
    if (!head.rows[0]) {
      deps.stderr(`No batch ${batchId} in ${shownUrl(cmd.queue)}.`);
      return EXIT.usage;
    }
    const assets = new PgAssetStore(pool);
    const { rows } = await pool.query(
      `SELECT row_id, line, status, fingerprint, job_ids, request_ids, cost_usd, error, workflow, saves, manifest,
         (extract(epoch FROM started_at) * 1000)::float8 AS started, (extract(epoch FROM finished_at) * 1000)::float8 AS finished
       FROM batch_rows WHERE batch_id = $1 ORDER BY line`,
      [batchId],
    );
    const summaries: BatchRowSummary[] = [];
    let problems = 0;
    for (const r of rows) {
      const final = ['succeeded', 'failed', 'interrupted'].includes(r.status);
      let files: string[] = [];
      let error = r.error ?? undefined;
      if (final && r.manifest) {
        const folder = await writeRowFolder({ outDir, rowId: r.row_id, workflow: r.workflow, saves: r.saves, manifest: r.manifest, assets });
        files = folder.files;
        if (folder.problems.length) {
          problems++;
          error = { code: 'images-missing', message: `Some images could not be written: ${folder.problems.join('; ')}` };
        }
      }
      summaries.push({
        id: r.row_id,
        line: r.line,
        status: error?.code === 'images-missing' ? 'failed' : r.status === 'orphaned' ? 'running' : r.status,
        fingerprint: r.fingerprint,
        requestIds: r.request_ids,
        jobIds: r.job_ids,
        costUsd: r.cost_usd,
        files,
        ...(error ? { error } : {}),
        ...(iso(r.started) ? { startedAt: iso(r.started) } : {}),
        ...(iso(r.finished) ? { finishedAt: iso(r.finished) } : {}),
      });
    }
    const now = new Date().toISOString();
    const running = summaries.some((r) => r.status === 'running' || r.status === 'queued');
    const summary: BatchSummary = withTotals({
      batchVersion: 1,
      batchId,
      status: running ? 'running' : summaries.some((r) => r.status !== 'succeeded') ? 'failed' : 'succeeded',
      source: earlier.summary?.source ?? { origin: head.rows[0].origin },
      rowsFile: earlier.summary?.rowsFile ?? '',
      mode: head.rows[0].mode,
      startedAt: earlier.summary?.startedAt ?? new Date(head.rows[0].created).toISOString(),
      updatedAt: now,
      totals: { rows: 0, queued: 0, running: 0, succeeded: 0, failed: 0, invalid: 0, skipped: 0, interrupted: 0, images: 0, costUsd: 0 },
      problems: earlier.summary?.problems ?? [],
      rows: summaries,
    });
    await writeFileAtomic(join(outDir, BATCH_FILE), `${JSON.stringify(summary, null, 2)}\n`, { sync: true });
    const t = summary.totals;
    deps.stderr(
      `Collected batch ${batchId}: ${t.succeeded}/${t.rows} row(s) succeeded${t.failed ? `, ${t.failed} failed` : ''}${t.running + t.queued ? `, ${t.running + t.queued} not finished` : ''}; ${t.images} image(s) in ${outDir}, cost ${formatUsd(t.costUsd)}. Nothing was submitted.`,
    );
    if (cmd.json) deps.stdout(JSON.stringify(summary, null, 2));
    return problems || t.failed ? EXIT.failed : EXIT.ok;
  } catch (e) {
    deps.stderr(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  } finally {
    await pool.end();
  }
}
