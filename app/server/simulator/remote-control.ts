import type { ChaosEvent } from './chaos';
import type { SimulatorCounts } from './control';
import type { Fault } from './faults';
import type { HeldReply } from './holds';
import type { JobPhase } from './jobs';
import type { SimulatorSettings, SimulatorSettingsPatch } from './settings';
import type { SubmitRecord } from './submit-log';

/** A job as `GET /_simulator` lists it. */
export interface RemoteJob {
  request_id: string;
  phase: JobPhase;
  images: number;
  /** Its submit's answer is being held: the client has not learnt this id. */
  replyHeld: boolean;
  fault: Fault | null;
}

export interface RemoteState {
  counts: SimulatorCounts;
  settings: SimulatorSettings;
  pendingFaults: Fault[];
  serverFaults: Fault[];
  jobs: RemoteJob[];
}

/** The simulator's handle, over its `/_simulator/*` control routes (for one in another process). */
export interface SimulatorRemote {
  state(): Promise<RemoteState>;
  jobs(): Promise<RemoteJob[]>;
  submits(): Promise<{ submits: SubmitRecord[]; duplicates: number; repeated: Record<string, string[]> }>;
  held(): Promise<HeldReply[]>;
  /** Sends held answers for a request id, or all of them (the default). */
  release(target?: string): Promise<HeldReply[]>;
  push(...faults: Fault[]): Promise<void>;
  setDefaults(faults: Fault[]): Promise<void>;
  clearFaults(): Promise<void>;
  configure(patch: SimulatorSettingsPatch): Promise<SimulatorSettings>;
  expire(requestId: string): Promise<void>;
  expireFiles(requestId: string): Promise<void>;
  chaosLog(): Promise<ChaosEvent[]>;
}

/** Scripts a simulator reached at `url` (its origin, e.g. `http://127.0.0.1:8189`). */
export function connectSimulator(url: string): SimulatorRemote {
  const origin = url.replace(/\/+$/, '');
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${origin}/_simulator${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Simulator control ${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
  return {
    state: () => call<RemoteState>('GET', '/'),
    jobs: async () => (await call<RemoteState>('GET', '/')).jobs,
    submits: () => call('GET', '/submits'),
    held: async () => (await call<{ held: HeldReply[] }>('GET', '/held')).held,
    release: async (target = 'all') => (await call<{ released: HeldReply[] }>('POST', '/release', { requestId: target })).released,
    push: async (...faults) => void (await call('POST', '/faults', faults)),
    setDefaults: async (faults) => void (await call('PUT', '/faults/defaults', faults)),
    clearFaults: async () => void (await call('DELETE', '/faults')),
    configure: async (patch) => (await call<{ settings: SimulatorSettings }>('PATCH', '/settings', patch)).settings,
    expire: async (id) => void (await call('POST', `/jobs/${encodeURIComponent(id)}/expire`)),
    expireFiles: async (id) => void (await call('POST', `/jobs/${encodeURIComponent(id)}/expire-files`)),
    chaosLog: async () => (await call<{ log: ChaosEvent[] }>('GET', '/chaos')).log,
  };
}
