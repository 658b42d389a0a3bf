import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunComfyClient } from '../../api/client';
import type { PollPolicy } from '../../api/poll-policy';
import { createSeedreamService } from '../../api/seedream-service';
import { journaledSeedream, MemoryCache, runGraph, type CacheStore, type JournaledSeedream, type RunEvent, type RunSummary } from '../../engine';
import type { SeedreamApi } from '../../graph/node-definition';
import type { Workflow } from '../../graph/workflow-schema';
import { realClock } from '../../lib/clock';
import { registry } from '../../../nodes';
import { FileAssetStore } from '../file-asset-store';
import { FileCacheStore } from '../file-cache-store';
import { FileJournalStore } from '../file-journal-store';
import { FileOutputSink } from '../file-output-sink';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../simulator';
import { CLI_HELP, parseCliArgs, UsageError, type CliCommand } from './args';
import { formatTemplateListing, listTemplates } from './list-templates';
import { buildManifest, type Manifest } from './manifest';
import { ProgressReporter } from './progress';
import { fetchHttpsImage } from './remote-image';
import { TrackingApi } from './tracking-api';
import { applySets } from './apply-sets';
import { missingTemplateFields } from './required-fields';
import { buildEditWorkflow, imageFromArg, loadSource } from './workflow-source';

export interface CliDeps {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborts on Ctrl-C. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Overrides for the in-process simulator (`--simulate`); tests make it fast. */
  simulator?: SimulatorOptions;
  /** How long to wait, after a stop, for cancels to be answered (default 20 s). */
  settleMs?: number;
  /** Poll schedule override; tests use a short fixed one against a fast simulator. */
  pollPolicy?: PollPolicy;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** The CLI as a function: everything it touches comes in through `deps`; returns the exit code. */
export async function runCli(deps: CliDeps): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseCliArgs(deps.argv);
  } catch (e) {
    deps.stderr(`${e instanceof Error ? e.message : String(e)}\nRun with --help for usage.`);
    return EXIT.usage;
  }
  if (cmd.command === 'help') {
    deps.stdout(CLI_HELP);
    return EXIT.ok;
  }
  if (cmd.command === 'templates') {
    const templates = listTemplates(registry);
    if (cmd.json) deps.stdout(JSON.stringify(templates, null, 2));
    else for (const line of formatTemplateListing(templates)) deps.stdout(line);
    return EXIT.ok;
  }
  const token = deps.env.RUNCOMFY_API_TOKEN?.trim();
  if (!cmd.simulate && !token) {
    deps.stderr(
      'No RunComfy API token. Either set RUNCOMFY_API_TOKEN (from your RunComfy profile) to run Seedream for real — each run is billed — ' +
        'or add --simulate to use the built-in simulator (placeholder images marked SIMULATED, no cost).',
    );
    return EXIT.usage;
  }

  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    return await execute(cmd, deps, token, cleanups);
  } catch (e) {
    if (e instanceof UsageError) {
      deps.stderr(e.message);
      return EXIT.usage;
    }
    deps.stderr(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

async function execute(
  cmd: Extract<CliCommand, { command: 'edit' | 'run' }>,
  deps: CliDeps,
  token: string | undefined,
  cleanups: (() => Promise<unknown>)[],
): Promise<number> {
  const startedAt = new Date();
  const t0 = realClock.now();
  const outDir = resolve(deps.cwd, cmd.out);
  await mkdir(outDir, { recursive: true });

  let assetsDir: string;
  if (cmd.cacheDir) assetsDir = join(resolve(deps.cwd, cmd.cacheDir), 'assets');
  else {
    assetsDir = await mkdtemp(join(tmpdir(), 'sequence-studio-'));
    cleanups.push(() => rm(assetsDir, { recursive: true, force: true }));
  }
  const assets = new FileAssetStore(assetsDir, (url, signal) => fetchHttpsImage(url, { fetch: deps.fetch ?? fetch, signal }));
  const cache: CacheStore = cmd.cacheDir ? new FileCacheStore(resolve(deps.cwd, cmd.cacheDir), assets) : new MemoryCache();

  let workflow: Workflow;
  let origin: string;
  if (cmd.command === 'edit') {
    const images = [];
    for (const arg of cmd.images) images.push(await imageFromArg(arg, assets, deps.cwd));
    workflow = buildEditWorkflow({ ...cmd, images });
    origin = 'edit';
  } else {
    const loaded = await loadSource(cmd.source, registry, deps.cwd);
    for (const w of loaded.warnings) deps.stderr(`warning: ${w}`);
    workflow = await applySets(loaded.workflow, cmd.sets, registry, assets, deps.cwd);
    // A template's sample pictures and story are never submitted (and paid for) silently: exit 2 before any submit.
    const unset = missingTemplateFields(loaded.workflow, cmd.sets, registry, cmd);
    if (unset.missing.length) throw new UsageError(unset.message);
    origin = loaded.origin;
  }

  let sim: SimulatorHandle | undefined;
  let baseUrl = deps.env.RUNCOMFY_BASE_URL?.trim() || undefined;
  let apiToken = token;
  if (cmd.simulate) {
    apiToken = randomBytes(16).toString('hex');
    sim = await startSimulator({ timeScale: 0.5, outputScale: 0.25, controlRoutes: false, ...deps.simulator, token: apiToken });
    cleanups.push(() => sim!.close());
    baseUrl = sim.baseUrl;
    deps.stderr(`Simulator at ${sim.baseUrl}: outputs are placeholders marked SIMULATED, not Seedream, and cost nothing.`);
  }
  const stop = new AbortController();
  const onAbort = () => stop.abort(deps.signal?.reason);
  if (deps.signal?.aborted) onAbort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  cleanups.push(async () => deps.signal?.removeEventListener('abort', onAbort));
  const client = new RunComfyClient({ baseUrl, token: apiToken, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const service = createSeedreamService({
    client,
    assets,
    clock: realClock,
    ...(deps.fetch ? { download: { fetch: deps.fetch } } : {}),
    ...(deps.pollPolicy ? { pollPolicy: deps.pollPolicy } : {}),
  });
  let generation: SeedreamApi = service;
  if (cmd.cacheDir) {
    // The journal lets a later run collect jobs this one leaves running (Ctrl-C, crash) instead of paying twice.
    const journal = journaledSeedream(service, new FileJournalStore(resolve(deps.cwd, cmd.cacheDir)), cache);
    generation = journal.api;
    await resumeJournal(journal, deps, stop.signal);
  }
  const api = new TrackingApi(generation);
  // Every PNG written carries the workflow that made it (JPEG/WebP get a sidecar .json).
  const output = new FileOutputSink(outDir, assets, { workflow });

  const reporter = new ProgressReporter(
    (line) => deps.stderr(line),
    () => realClock.now(),
  );
  const nodeOfRequest = new Map<string, string>();
  const onEvent = (e: RunEvent) => {
    if (e.type === 'node-progress' && e.detail?.requestId) nodeOfRequest.set(e.detail.requestId, e.nodeId);
    if (e.type === 'run-done') for (const i of e.issues) deps.stderr(`${i.severity}: ${i.nodeId ? `[${i.nodeId}] ` : ''}${i.message}`);
    reporter.onEvent(e);
  };

  const summary: RunSummary = await runGraph(
    workflow,
    registry,
    {
      api,
      assets,
      output,
      clock: realClock,
      log: (level, message, nodeId) => {
        if (level === 'warn' || level === 'error') deps.stderr(`${level}: ${nodeId ? `[${nodeId}] ` : ''}${message}`);
      },
    },
    { concurrency: cmd.concurrency, cache, signal: stop.signal, onEvent },
  );

  const interrupted = stop.signal.aborted;
  if (interrupted) {
    deps.stderr('Stopping: cancelling queued requests at RunComfy…');
    const settled = await api.settle(deps.settleMs ?? 20_000);
    for (const id of api.unsettledIds()) {
      api.records.push({
        nodeId: '',
        requestId: id,
        outcome: 'still-running',
        outputUrls: [],
        message: 'No answer to the cancel in time: it may still run and be billed.',
      });
    }
    if (!settled) deps.stderr('Some cancels were not answered in time.');
  }
  if (summary.status === 'succeeded' && !workflow.nodes.some((n) => n.kind === 'image.save')) {
    await writePreviews(summary, workflow, output, stop.signal);
  }

  const requests = api.records.map((r) => ({ ...r, nodeId: nodeOfRequest.get(r.requestId) ?? r.nodeId }));
  for (const [nodeId, o] of summary.nodes) {
    if (o.status === 'cached' && typeof o.meta.requestId === 'string') {
      requests.push({ nodeId, requestId: o.meta.requestId, outcome: 'completed', outputUrls: asStrings(o.meta.outputUrls), cached: true });
    }
  }
  const manifest = buildManifest({
    summary,
    workflow,
    origin,
    mode: cmd.simulate ? 'simulator' : 'runcomfy',
    startedAt,
    durationMs: realClock.now() - t0,
    requests,
    files: output.saved,
    ...(interrupted ? { statusOverride: 'aborted' as const } : {}),
  });
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  report(manifest, outDir, cmd, deps);
  if (interrupted) return EXIT.interrupted;
  return manifest.status === 'succeeded' ? EXIT.ok : EXIT.failed;
}

/** Collects what an earlier run left in flight before running anything new. */
async function resumeJournal(journal: JournaledSeedream, deps: CliDeps, signal: AbortSignal): Promise<void> {
  const reports = await journal.resumeAll({
    signal,
    onProgress: (entry, detail) => {
      if (detail.phase) deps.stderr(`[${entry.nodeId}] earlier request ${entry.requestId}: ${detail.phase}`);
    },
  });
  for (const r of reports) {
    const where = `[${r.entry.nodeId}] earlier request ${r.entry.requestId}`;
    if (r.outcome === 'completed') deps.stderr(`${where} collected: its images are in the cache (nothing resubmitted).`);
    else deps.stderr(`${where}: ${r.message ?? r.outcome}`);
    if (r.outcome === 'lost') await journal.dismiss(r.entry.requestId);
  }
}

async function writePreviews(summary: RunSummary, workflow: Workflow, output: FileOutputSink, signal: AbortSignal) {
  for (const node of workflow.nodes) {
    const o = summary.nodes.get(node.id);
    if (node.kind !== 'image.preview' || !o || (o.status !== 'done' && o.status !== 'cached')) continue;
    const images = o.outputs.images;
    if (Array.isArray(images)) await output.save(images, { nodeId: node.id, prefix: node.id, signal });
  }
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function report(m: Manifest, outDir: string, cmd: { json: boolean; cacheDir?: string | undefined }, deps: CliDeps): void {
  if (cmd.json) {
    deps.stdout(JSON.stringify(m, null, 2));
    return;
  }
  for (const f of m.files) deps.stdout(join(outDir, f.file));
  for (const r of m.requests.filter((x) => x.outcome === 'still-running')) {
    const collect = cmd.cacheDir ? ' Run again with the same --cache-dir to collect its images without paying twice.' : '';
    deps.stderr(`[${r.nodeId}] request ${r.requestId} is still running at RunComfy — it will be billed.${collect}`);
  }
  for (const r of m.requests.filter((x) => x.outcome === 'unknown')) {
    deps.stderr(`[${r.nodeId}] ${r.message ?? 'unknown submission — it may have been created'}`);
  }
  const cost = m.totalCostUsd !== undefined ? `, cost $${m.totalCostUsd.toFixed(2)}` : '';
  deps.stderr(`${m.status}: ${m.files.length} file(s) in ${outDir}${cost} (manifest.json)`);
}
