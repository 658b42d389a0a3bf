import { boundedPollPolicy } from '../api/poll-policy';
import { loadRunTimeModel, MemoryRunTimeStore } from '../api/run-time-model';
import { lazyProvider } from '../api/lazy-provider';
import { executePlan, planRun } from '../engine';
import type { CacheStore } from '../engine/cache';
import { MemoryCache } from '../engine/cache';
import type { AssetStore } from '../graph/node-definition';
import { JobLedger, MemoryLedgerStore } from '../ledger';
import { API_PROXY_BASE, APP_CONFIG_PATH, assetProxyUrl, zAppConfig, type AppConfig } from '../lib/app-config';
import { realClock } from '../lib/clock';
import { MAX_IMAGE_BYTES } from '../model/seedream';
import { registry } from '../../nodes';
import { attachAutosave, type Autosave } from '../store/autosave';
import { batchAccess } from '../ui/batch/batch-access';
import type { StudioStore } from '../store/create-store';
import { MemoryHistoryStore } from '../store/history-entry';
import { attachHistoryRecorder, type HistoryHost } from '../store/history-recorder';
import { createIdAllocator } from '../store/id-allocator';
import { MemoryRunRecordStore } from '../store/run-record';
import { createRunSnapshots } from '../store/run-snapshots';
import { createTabManager, type TabAttachment, type TabManager } from '../store/tab-manager';
import { attachSessionSaver, MemoryTabSessionStore } from '../store/tab-session';
import { MemoryTemplateLibrary } from '../store/user-templates';
import { MemoryWorkflowLibrary } from '../store/workflow-library';
import type { UiServices } from '../ui/studio-context';
import { downloadBlob } from './download';
import { createIdbDeliveryMemory, createMemoryDeliveryMemory } from './delivery-memory';
import { createDownloadOutputSink } from './download-output-sink';
import { createIdbAssetStore } from './idb-asset-store';
import { hasBatchOf } from './idb-batch-presence';
import { createIdbCacheStore, namespacedCache } from './idb-cache-store';
import { openStudioDB } from './idb-database';
import { createIdbHistoryStore } from './idb-history-store';
import { createIdbLedgerStore } from './idb-ledger-store';
import { createIdbRunStore } from './idb-run-store';
import { createIdbRunTimeStore } from './idb-run-time-store';
import { createIdbTabSessionStore } from './idb-tab-session';
import { createIdbTemplateStore } from './idb-template-store';
import { createIdbWorkflowLibrary } from './idb-workflow-library';
import { importImageFile } from './import-image';
import { createMemoryAssetStore } from './memory-asset-store';
import { claimTabOwner, type LockManagerLike } from './tab-owner';
import { connectTabSync } from './tab-sync';
import { restoreSession } from './restore-session';
import { createThumbnailLoader } from './thumbnail-loader';

export interface Studio {
  /** The open tabs, each an editor store, and the run queue they share. */
  tabs: TabManager;
  services: UiServices;
  /** Writes what the throttles have not written yet (every tab's workflow, the tabs themselves): page hide. */
  flush(): Promise<void>;
}

/** How long a tab is presumed alive after its last heartbeat: another tab takes its jobs over after that. */
export const LEASE_MS = 30_000;

/** Reads `/api/config`; undefined when the server does not answer it (the UI says so). */
async function readConfig(): Promise<AppConfig | undefined> {
  try {
    const res = await fetch(APP_CONFIG_PATH, { headers: { accept: 'application/json' } });
    if (!res.ok) return undefined;
    const parsed = zAppConfig.safeParse(await res.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Coalesces planner work to the next animation frame, so typing stays responsive in big graphs. */
function frameDefer(): (fn: () => void) => void {
  return (fn) => requestAnimationFrame(() => fn());
}

function sessionStore(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/**
 * The browser composition root: server config, the RunComfy client on the same-origin proxy (no
 * credentials: the server adds them) behind the provider, the job ledger (IndexedDB, this tab as
 * its owner, leases renewed by a heartbeat), result cache, assets, history, templates, the
 * engine and the store, all built in order with nothing bound late. Storage that cannot open
 * (private mode) degrades to memory with a visible warning; nothing else is lost. At start it
 * recovers the last page's paid jobs and continues a run (and a batch) a reload interrupted.
 */
export async function composeStudio(): Promise<Studio> {
  const config = await readConfig();
  const apiBase = config?.apiBase ?? API_PROXY_BASE;
  const db = await openStudioDB(undefined, { journalEndpoint: apiBase }).catch(() => undefined);

  const assets: AssetStore = db ? createIdbAssetStore(db) : createMemoryAssetStore();
  const upstream = config?.upstream ?? `${config?.mode ?? 'unknown'}:${API_PROXY_BASE}`;
  // Simulator jobs die with the server that ran them (a new instance per start), their placeholder results do not.
  const cache: CacheStore = namespacedCache(db ? createIdbCacheStore(db) : new MemoryCache(), upstream.startsWith('simulator:') ? 'simulator' : upstream);
  const locks = (navigator as { locks?: LockManagerLike }).locks;
  const owner = await claimTabOwner({ storage: sessionStore(), ...(locks ? { locks } : {}) });
  const runTimeStore = db ? createIdbRunTimeStore(db) : new MemoryRunTimeStore();
  const runTimes = await loadRunTimeModel(runTimeStore);
  // The proxy is /api/v1 for RunComfy and simulator alike: records and results are kept per upstream.
  // The RunComfy client loads on the first call (a run, a re-attach, a price), not with the page.
  const provider = lazyProvider('runcomfy', upstream, async () => {
    const { downloadOutput, RunComfyClient, RunComfyProvider } = await import('../api/runcomfy');
    const client = new RunComfyClient({ baseUrl: apiBase, clock: realClock, ...(config ? { modelId: config.modelId } : {}) });
    return new RunComfyProvider({
      client,
      assets,
      // https references and outputs come through the same-origin asset proxy, which applies the host rules server-side.
      fetchReference: (url, signal) =>
        downloadOutput(url, { via: assetProxyUrl, clock: realClock, apiBaseUrl: client.baseUrl, maxBytes: MAX_IMAGE_BYTES }, signal),
      download: { via: assetProxyUrl },
      endpoint: upstream,
    });
  });
  const ledger = new JobLedger({
    store: db ? createIdbLedgerStore(db) : new MemoryLedgerStore(),
    provider,
    assets,
    clock: realClock,
    owner: { id: owner.id },
    leaseMs: LEASE_MS,
    policy: boundedPollPolicy(runTimes),
    learner: runTimes,
    // A job stopped while running is billed anyway: its images are still collected and shown.
    onStop: 'collect',
    repayHint: (jobId) => `press "Pay again" on the node (it names job ${jobId})`,
    log: (level, message) => (level === 'info' ? console.info(message) : console[level](message)),
  });
  const snapshots = createRunSnapshots();
  // Save downloads what it has not delivered yet (remembered across reloads); "Save again" always does.
  const output = createDownloadOutputSink(assets, downloadBlob, {
    workflow: () => snapshots.current(),
    memory: db ? createIdbDeliveryMemory(db) : createMemoryDeliveryMemory(),
  });
  const sessions = db ? createIdbTabSessionStore(db) : new MemoryTabSessionStore();
  // This window's tabs (a reload), or the newest window's (a new window), or the single workflow of old.
  const restored = await restoreSession({ db, sessions, ownerId: owner.id, registry });
  const autosaves = new Map<string, Autosave>();
  const mode = config?.mode ?? 'unknown';
  const storageProblem = db ? null : 'Browser storage (IndexedDB) is not available: your workflows, images and paid jobs are kept in memory only.';

  /** Every tab: its mode and storage warning, its workflow autosaved and synced with other windows showing it. */
  const attach = (tabId: string, store: StudioStore): TabAttachment => {
    const s = store.getState();
    s.setMode(mode);
    if (storageProblem) s.setStorageError(storageProblem);
    const sync = restored.syncFor(tabId);
    if (!sync) return { close: () => undefined };
    const autosave = attachAutosave(store, sync.storage);
    autosaves.set(tabId, autosave);
    // A tab that is new here has no stored workflow yet: written at once, so a reload finds it.
    if (!restored.hasStored(tabId))
      void sync.storage.save(s.workflow).catch((err: unknown) => s.setStorageError(`This tab could not be saved in the browser: ${String(err)}`));
    const actions = connectTabSync(sync, store, registry);
    // A run is a checkpoint: the graph that submits paid jobs is saved at once, not up to the throttle later.
    const offRun = store.subscribe((st, prev) => {
      if (st.run.phase === 'starting' && prev.run.phase !== 'starting') void autosave.flush();
    });
    return {
      sync: actions,
      close() {
        offRun();
        autosave.dispose();
        autosaves.delete(tabId);
        actions.dispose();
        restored.closeSync(tabId);
      },
    };
  };

  const tabs = createTabManager({
    studio: {
      registry,
      engine: { planRun, executePlan },
      services: {
        generation: ledger,
        assets,
        output,
        clock: realClock,
        log: (level, message, nodeId) => {
          if (level === 'warn' || level === 'error') console[level](`[${nodeId ?? 'run'}] ${message}`);
        },
      },
      cache,
      pricing: { priceUsd: (model, signal) => provider.priceUsd(model, signal) },
      defer: frameDefer(),
      ledger,
      snapshots,
      ids: createIdAllocator(),
    },
    // Each tab's run in progress under its own key, so a reload continues it in its tab.
    runsFor: (tabId) => (db ? createIdbRunStore(db, `${owner.id}:${tabId}`) : new MemoryRunRecordStore()),
    initial: restored.seeds,
    ...(restored.activeId ? { activeId: restored.activeId } : {}),
    attach,
  });
  const session = attachSessionSaver(tabs, sessions, {
    ownerId: owner.id,
    onError: (err) =>
      tabs
        .active()
        .getState()
        .setStorageError(`Your open tabs could not be saved in this browser: ${String(err)}`),
  });
  if (db && 'prune' in sessions) void sessions.prune().catch(() => undefined);
  const everyTab = () => tabs.state.getState().tabs.flatMap((t) => tabs.storeOf(t.id) ?? []);

  // Batches run on the same ledger, cache and assets as the canvas; one per window, continued after a
  // reload. The batch engine loads on first use (or at start-up when this window left a batch).
  const batches = batchAccess(async () => {
    const [{ createBatchStore }, { createIdbBatchStore }, { MemoryBatchRecordStore }] = await Promise.all([
      import('../store/batch-store'),
      import('./idb-batch-store'),
      import('../store/batch-record'),
    ]);
    return createBatchStore({
      registry,
      ledger,
      prepare: (request, signal) => provider.prepare(request, signal),
      priceUsd: (model, signal) => provider.priceUsd(model, signal),
      assets,
      cache,
      clock: realClock,
      records: db ? createIdbBatchStore(db) : new MemoryBatchRecordStore(),
      ownerId: owner.id,
      mode: () => mode,
    });
  });
  const batchLeft = db ? hasBatchOf(db, owner.id) : Promise.resolve(false);
  const history = db ? createIdbHistoryStore(db) : new MemoryHistoryStore();
  // A batch row's generations are attributed to the workflow the row ran.
  const shots = { forRun: (runId: string | undefined) => snapshots.forRun(runId) ?? batches.current()?.runShot(runId), madeBy: snapshots.madeBy };
  // The history reads reference names from every tab's results and tells every tab it changed.
  const historyHost: HistoryHost = {
    getState: () => ({
      results: Object.assign({}, ...everyTab().map((t) => t.getState().results)) as ReturnType<StudioStore['getState']>['results'],
      notify: (text, tone) => tabs.active().getState().notify(text, tone),
      noteHistoryChanged: () => everyTab().forEach((t) => t.getState().noteHistoryChanged()),
    }),
  };
  attachHistoryRecorder(historyHost, { ledger, history, snapshots: shots });
  const templates = db ? createIdbTemplateStore(db) : new MemoryTemplateLibrary();
  const library = db ? createIdbWorkflowLibrary(db) : new MemoryWorkflowLibrary();
  db?.addEventListener('versionchange', () =>
    everyTab().forEach((t) => t.getState().setStorageError('A newer version of Sequence Studio opened in another tab: reload this tab to keep saving.')),
  );
  // Learned run times outlive the page: saved whenever a job finished running.
  ledger.subscribe((u) => {
    if (u.record.state === 'completed' && u.record.outputs.length > 0) void runTimeStore.save(runTimes.snapshot()).catch(() => undefined);
  });

  const s = tabs.active().getState();
  if (!config) s.notify('The server did not say whether it uses RunComfy or the simulator (/api/config).', 'error');
  const repaired = restored.issues.map((i) => i.message);
  if (repaired.length) s.notify(`Restored your tabs. ${repaired.join(' · ')}`, restored.seeds.length ? 'info' : 'error');

  everyTab().forEach((t) => void t.getState().hydrateResults());
  // This window's leases are renewed for as long as the page lives.
  void ledger.heartbeat(new AbortController().signal);
  // What the last page left (jobs to re-attach, runs to continue, queued runs): its code loads
  // beside the first screen instead of before it.
  void import('./startup').then(({ startUp }) => startUp(tabs, LEASE_MS, async () => ((await batchLeft) ? batches.load() : undefined), restored.queued));

  const services: UiServices = {
    registry,
    images: createThumbnailLoader(assets),
    importImage: (file, name) => importImageFile(assets, file, name),
    download: downloadBlob,
    saveAgain: (images, prefix) => output.saveAgain(images, { prefix }),
    templates,
    history,
    batches,
    library,
  };
  return {
    tabs,
    services,
    flush: async () => {
      await Promise.all([...[...autosaves.values()].map((a) => a.flush()), session.flush()]);
    },
  };
}
