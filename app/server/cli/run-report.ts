import { join } from 'node:path';
import { formatUsd, type CostEstimate } from '../../engine/estimate-cost';
import type { RunSummary } from '../../engine';
import { readJobMeta } from '../../graph/generation';
import { billingOf, ledgerMessages, type JobLedger, type JobRecord, type RecoveryReport } from '../../ledger';
import { cliRepayHint } from './cli-services';
import type { Manifest, RequestRecord } from './manifest';

/** Where a run's words go, and whether its cache dir outlives it (a re-run can collect). */
export interface ReportIo {
  stdout(text: string): void;
  stderr(text: string): void;
  persistent: boolean;
  /** Who holds the jobs, in words: RunComfy, or the simulator (--simulate). */
  host: string;
}

const IN_FLIGHT = new Set(['intent', 'submitted', 'queued', 'running', 'completed']);
const jobs = (n: number) => `${n} job${n === 1 ? '' : 's'}`;

/** The first line of every run: what it will cost at most, and what it reuses, fetches or needs a choice for. */
export function costLine(e: CostEstimate, repaying: number): string {
  const count = (...statuses: string[]) => e.items.filter((i) => statuses.includes(i.status)).length;
  const usd = (v: number | undefined) => (v !== undefined ? `up to ${formatUsd(v)}` : `price unknown${e.priceError ? ` (${e.priceError})` : ''}`);
  const price =
    e.paidJobs === 0
      ? '$0 (nothing to submit)'
      : `${usd(e.totalUsd)} for ${jobs(e.paidJobs)
          .replace(/^1 job$/, '1 paid job')
          .replace(/ jobs$/, ' paid jobs')}`;
  const blockedUsd = e.priceUsd === undefined ? undefined : e.blocked.reduce((sum, b) => sum + e.priceUsd! * b.maxOutputs, 0);
  const extra = [
    repaying ? `${repaying} of them paid again by --repay` : '',
    count('cached', 'stored') ? `${jobs(count('cached', 'stored'))} reused at $0` : '',
    count('in-flight') ? `${jobs(count('in-flight'))} already submitted, collected at $0` : '',
    count('partial') ? `${jobs(count('partial'))} with missing images fetched for free` : '',
    e.blocked.length ? `${jobs(e.blocked.length)} not paid again without --repay (${usd(blockedUsd)} more)` : '',
  ].filter(Boolean);
  return `Cost: ${price}${extra.length ? `; ${extra.join('; ')}` : ''}.`;
}

/**
 * What the last process left, said once: jobs in flight are collected (polling only, nothing is
 * submitted). Unknown submissions of this run's own work are left to the cost check, which
 * names them with the --repay flag; those of other work are listed here.
 */
export function reportRecovery(report: RecoveryReport, ownKeys: ReadonlySet<string>, io: ReportIo): void {
  for (const r of report.orphaned) {
    if (!ownKeys.has(r.cacheKey)) io.stderr(`[${r.nodeId}] ${ledgerMessages.orphanedIntent(r)} To pay again for it: --repay ${r.jobId}`);
  }
  for (const r of report.reattached) {
    const what = r.requestId ? `request ${r.requestId}` : `job ${r.jobId}`;
    io.stderr(
      r.state === 'stored' || r.state === 'completed'
        ? `[${r.nodeId}] fetching the missing images of earlier ${what} for free (nothing is submitted).`
        : `[${r.nodeId}] collecting earlier ${what} (${r.state}); nothing is submitted again.`,
    );
  }
  for (const r of report.elsewhere) io.stderr(`[${r.nodeId}] job ${r.jobId} is followed by another process (${r.owner?.id ?? '?'}).`);
}

/** The blocked line of the cost check: why this work is not paid again, and the flag that would. */
export const describeBlocked = (r: JobRecord | undefined): string =>
  r ? ledgerMessages.repayRequired(r, cliRepayHint) : 'An earlier attempt of this work may have been billed.';

/**
 * One manifest entry per job this run touched: made, joined, re-attached, or reused from the
 * cache — and the earlier attempts that blocked it (`blocked`), so the manifest names them too.
 */
export async function requestsOf(
  summary: RunSummary | undefined,
  seen: ReadonlyMap<string, JobRecord>,
  ledger: JobLedger,
  runId: string,
  blocked: readonly JobRecord[] = [],
): Promise<RequestRecord[]> {
  const byJob = new Map<string, { record: JobRecord; nodeId: string; reused: boolean }>();
  for (const r of blocked) byJob.set(r.jobId, { record: r, nodeId: r.nodeId, reused: false });
  for (const r of seen.values()) byJob.set(r.jobId, { record: r, nodeId: r.nodeId, reused: r.runId !== runId && !byJob.has(r.jobId) });
  for (const [nodeId, o] of summary?.nodes ?? []) {
    if (o.status !== 'done' && o.status !== 'cached') continue;
    const job = readJobMeta(o.meta);
    if (!job) continue;
    const record = byJob.get(job.jobId)?.record ?? (await ledger.get(job.jobId));
    if (record) byJob.set(job.jobId, { record, nodeId, reused: o.status === 'cached' || job.reused || record.runId !== runId });
  }
  return [...byJob.values()].map(({ record: r, nodeId, reused }) => {
    const missing = r.outputs.filter((x) => x.assetId === undefined).map((x) => ({ index: x.index, url: x.url, reason: x.error ?? 'not fetched' }));
    // An intent still unanswered when the run ends: this process will never learn its request id.
    const unanswered = r.state === 'intent';
    const message = unanswered
      ? `Its submit got no reply before this run ended: it may have been created and billed, and its request id is unknown. It is never resubmitted on its own; to pay again for it: --repay ${r.jobId}.`
      : (r.error?.message ?? r.note);
    return {
      nodeId,
      jobId: r.jobId,
      ...(r.requestId ? { requestId: r.requestId } : {}),
      state: r.state === 'stored' && r.partial ? 'partial' : r.state,
      billing: unanswered ? 'may-be-billed' : billingOf(r),
      ...(r.partial ? { partial: true } : {}),
      ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
      outputUrls: r.outputs.map((x) => x.url),
      ...(missing.length && r.outputs.length ? { missing } : {}),
      inputs: { prompt: r.sent.prompt, references: r.referenceHashes.length, ...r.sent.params },
      ...(message ? { message } : {}),
      ...(reused ? { reused: true } : {}),
    };
  });
}

/**
 * The end of a run: the files on stdout (or the manifest with --json), then one line per job
 * that needs the user's attention — still in flight, unknown, partial, expired, lost — and the
 * status line. Each says what is billed and what to do.
 */
export function reportRun(m: Manifest, outDir: string, json: boolean, io: ReportIo, alreadySaid: ReadonlySet<string> = new Set()): void {
  if (json) io.stdout(JSON.stringify(m, null, 2));
  else for (const f of m.files) io.stdout(join(outDir, f.file));
  const again = io.persistent ? ' Run again with the same --cache-dir to collect its images without paying twice.' : '';
  for (const r of m.requests) {
    if (alreadySaid.has(r.jobId)) continue;
    const line = attentionLine(r, again, io);
    if (line) io.stderr(`[${r.nodeId}] ${line}`);
  }
  const cost = m.totalCostUsd !== undefined ? `, cost $${m.totalCostUsd.toFixed(2)}` : '';
  const missing = m.requests.reduce((n, r) => n + (r.missing?.length ?? 0), 0);
  const partial = missing ? ` (${missing} image(s) missing, see above)` : '';
  io.stderr(`${m.status}${partial}: ${m.files.length} file(s) in ${outDir}${cost} (manifest.json)`);
}

function attentionLine(r: RequestRecord, again: string, { persistent, host }: ReportIo): string | undefined {
  const id = r.requestId ? `request ${r.requestId}` : `job ${r.jobId}`;
  if (r.state === 'intent') return `job ${r.jobId}: ${r.message}${persistent ? '' : ' (Its record was in a temporary cache dir: use --cache-dir to keep it.)'}`;
  if (IN_FLIGHT.has(r.state)) {
    const billed = r.state === 'running' || r.state === 'completed' ? 'it will be billed' : 'it will be billed if it runs';
    return `${id} is still ${r.state === 'completed' ? 'finished but not fetched' : r.state} at ${host} — ${billed}.${again}`;
  }
  switch (r.state) {
    case 'cancelled':
      return r.reused ? undefined : `${id}: cancelled at ${host} before it started — not billed.`;
    case 'unknown-submission':
      return `job ${r.jobId}: ${r.message ?? 'its submit may have been created and billed; its request id is unknown.'} To pay again for it: --repay ${r.jobId}`;
    case 'partial':
      return `${id}: ${r.missing?.length ?? 0} image(s) could not be fetched (${(r.missing ?? []).map((x) => x.url).join(', ')}).${persistent ? ' Run again with the same --cache-dir to fetch them for free.' : ''}`;
    case 'outputs-expired':
      return `${id} was billed but its images expired before they could be fetched. To pay again for new images: --repay ${r.jobId}`;
    case 'lost':
      return `${id} is no longer known to ${host}: its images are lost (it may have been billed). To pay again: --repay ${r.jobId}`;
    default:
      return undefined;
  }
}
