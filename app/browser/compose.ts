import { RunComfyClient } from '../api/client';
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
import { createIdbWorkflowStorage } from './idb-workflow-storage';
import { createMemoryAssetStore } from './memory-asset-store';
import { importImageFile } from './import-image';
import { createThumbnailLoader } from './thumbnail-loader';
import type { AssetStore } from '../graph/node-definition';

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
  const db = await openStudioDB().catch(() => undefined);

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
  const api = createSeedreamService({ client, assets, clock: realClock, download: { via: assetProxyUrl }, onStop: 'collect' });
  const storage = db ? createIdbWorkflowStorage(db) : undefined;
  const restored = storage ? await restoreWorkflow(storage, registry) : { workflow: undefined, issues: [] };

  const store = createStudioStore({
    registry,
    engine: { planRun, runGraph },
    services: {
      api,
      assets,
      output: createDownloadOutputSink(assets, downloadBlob),
      clock: realClock,
      log: (level, message, nodeId) => {
        if (level === 'warn' || level === 'error') console[level](`[${nodeId ?? 'run'}] ${message}`);
      },
    },
    cache,
    pricing: { priceUsd: async (_modelId, signal) => (await client.catalog(signal ? { signal } : {})).basePriceUsd },
    defer: frameDefer(),
    ...(restored.workflow ? { workflow: restored.workflow } : {}),
  });

  const s = store.getState();
  s.setMode(config?.mode ?? 'unknown');
  if (!config) s.notify('The server did not say whether it uses RunComfy or the simulator (/api/config).', 'error');
  if (!db) s.setStorageError('Browser storage (IndexedDB) is not available: your workflow and images are kept in memory only.');
  const repaired = restored.issues.map((i) => i.message);
  if (repaired.length) s.notify(`Restored your last workflow. ${repaired.join(' · ')}`, restored.workflow ? 'info' : 'error');

  const autosave = storage ? attachAutosave(store, storage) : undefined;
  void store.getState().hydrateResults();

  const services: UiServices = {
    registry,
    images: createThumbnailLoader(assets),
    importImage: (file, name) => importImageFile(assets, file, name),
    download: downloadBlob,
  };
  return { store, services, autosave };
}
