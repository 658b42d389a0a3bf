import { RunComfyClient } from '../api/runcomfy/client';
import { createSeedreamService } from '../api/seedream-service';
import { planRun, runGraph } from '../engine';
import type { CacheStore } from '../engine/cache';
import { MemoryCache } from '../engine/cache';
import { API_PROXY_BASE, APP_CONFIG_PATH, assetProxyUrl, zAppConfig, type AppConfig } from '../lib/app-config';
import { realClock } from '../lib/clock';
import { registry } from '../../nodes';
import { attachAutosave, restoreWorkflow, type Autosave } from '../store/autosave';
import { createStudioStore, type StudioStore } from '../store/create-store';
import type { UiServices } from '../ui/studio-context';
import { downloadBlob } from './download';
import { createDownloadOutputSink } from './download-output-sink';
import { createIdbAssetStore } from './idb-asset-store';
import { createIdbCacheStore } from './idb-cache-store';
import { openStudioDB } from './idb-database';
import { createMemoryAssetStore } from './memory-asset-store';
import { importImageFile } from './import-image';
import { createThumbnailLoader } from './thumbnail-loader';
import type { AssetStore } from '../graph/node-definition';
import { journaledSeedream, MemoryJournalStore, type JournalStore } from '../engine/seedream-journal';
import { attachHistoryRecorder } from '../store/history-recorder';
import { MemoryHistoryStore } from '../store/history-entry';
import { trackRunSnapshots, type RunSnapshots } from '../store/run-snapshots';
import { MemoryTemplateLibrary } from '../store/user-templates';
import { createIdbHistoryStore } from './idb-history-store';
import { createIdbJournalStore } from './idb-journal-store';
import { createIdbTemplateStore } from './idb-template-store';
import { connectTabSync, createTabSync } from './tab-sync';

export interface Studio {
  store: StudioStore;
  services: UiServices;
  autosave: Autosave | undefined;
}

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

/**
 * The browser composition root: server config, the RunComfy client on the same-origin proxy
 * (no credentials: the server adds them), IndexedDB stores for assets, results and the workflow,
 * downloads for Save nodes, the engine, and the store. Storage that cannot open (private mode)
 * degrades to memory with a visible warning; nothing else is lost.
 */
export async function composeStudio(): Promise<Studio> {
  const config = await readConfig();
  let versionChanged: (() => void) | undefined;
  const db = await openStudioDB(undefined, { onVersionChange: () => versionChanged?.() }).catch(() => undefined);

  let assets: AssetStore;
  let cache: CacheStore;
  if (db) {
    assets = createIdbAssetStore(db);
    cache = createIdbCacheStore(db);
  } else {
    assets = createMemoryAssetStore();
    cache = new MemoryCache();
  }

  const client = new RunComfyClient({ baseUrl: config?.apiBase ?? API_PROXY_BASE, clock: realClock, ...(config ? { modelId: config.modelId } : {}) });
  // A job stopped while running is billed anyway: the service keeps collecting it ('collect'),
  // the engine caches the late result and the store shows it.
  const service = createSeedreamService({ client, assets, clock: realClock, download: { via: assetProxyUrl }, onStop: 'collect' });
  // Every paid request id is journaled before its first poll; after a reload, resumeJobs re-attaches.
  const journalStore: JournalStore = db ? createIdbJournalStore(db) : new MemoryJournalStore();
  let onJournalResult: CacheStore['set'] = async () => undefined;
  const journal = journaledSeedream(service, journalStore, {
    get: (key) => cache.get(key),
    set: async (key, result) => {
      await cache.set(key, result);
      await onJournalResult(key, result);
    },
  });
  const api = journal.api;
  // The autosave writes a revision with the workflow, so two tabs never overwrite each other silently.
  const tabSync = db ? createTabSync(db) : undefined;
  const storage = tabSync?.storage;
  let snapshots: RunSnapshots | undefined;
  const restored = storage ? await restoreWorkflow(storage, registry) : { workflow: undefined, issues: [] };

  const store = createStudioStore({
    registry,
    engine: { planRun, runGraph },
    services: {
      api,
      assets,
      output: createDownloadOutputSink(assets, downloadBlob, { workflow: () => snapshots?.current() }),
      clock: realClock,
      log: (level, message, nodeId) => {
        if (level === 'warn' || level === 'error') console[level](`[${nodeId ?? 'run'}] ${message}`);
      },
    },
    cache,
    pricing: { priceUsd: async (_modelId, signal) => (await client.catalog(signal ? { signal } : {})).basePriceUsd },
    defer: frameDefer(),
    journal: { list: () => journalStore.list(), resumeAll: journal.resumeAll, dismiss: journal.dismiss, inFlightKeys: journal.inFlightKeys },
    ...(restored.workflow ? { workflow: restored.workflow } : {}),
  });
  snapshots = trackRunSnapshots(store, registry, { planRun });
  onJournalResult = async (key, result) => store.getState().resumedResultArrived(key, result);
  const history = db ? createIdbHistoryStore(db) : new MemoryHistoryStore();
  attachHistoryRecorder(store, { history, snapshots, assets });
  const templates = db ? createIdbTemplateStore(db) : new MemoryTemplateLibrary();
  const tabs = tabSync ? connectTabSync(tabSync, store, registry) : undefined;
  versionChanged = () => store.getState().setStorageError('A newer version of Sequence Studio opened in another tab: reload this tab to keep saving.');

  const s = store.getState();
  s.setMode(config?.mode ?? 'unknown');
  if (!config) s.notify('The server did not say whether it uses RunComfy or the simulator (/api/config).', 'error');
  if (!db) s.setStorageError('Browser storage (IndexedDB) is not available: your workflow and images are kept in memory only.');
  const repaired = restored.issues.map((i) => i.message);
  if (repaired.length) s.notify(`Restored your last workflow. ${repaired.join(' · ')}`, restored.workflow ? 'info' : 'error');

  const autosave = storage ? attachAutosave(store, storage) : undefined;
  // A run is a checkpoint: the graph that submits paid jobs is saved at once, not up to the
  // throttle later, so a reload right after finds the nodes its journaled jobs belong to.
  store.subscribe((st, prev) => {
    if (st.run.phase === 'starting' && prev.run.phase !== 'starting') void autosave?.flush();
  });
  void store.getState().hydrateResults();
  // Paid jobs that were in flight when the page went away: poll them again (never resubmit).
  void store.getState().resumeJobs();

  const services: UiServices = {
    registry,
    images: createThumbnailLoader(assets),
    importImage: (file, name) => importImageFile(assets, file, name),
    download: downloadBlob,
    templates,
    history,
    ...(tabs ? { tabs } : {}),
  };
  return { store, services, autosave };
}
