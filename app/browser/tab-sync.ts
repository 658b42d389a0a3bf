import type { IDBPDatabase } from 'idb';
import { z } from 'zod';
import { loadWorkflow } from '../graph/load-workflow';
import type { NodeRegistry } from '../graph/registry';
import type { Workflow } from '../graph/workflow-schema';
import type { WorkflowStorage } from '../store/autosave';
import type { StudioStore } from '../store/create-store';
import type { TabActions } from '../ui/studio-context';
import type { StudioDB } from './idb-database';

/** Where the autosaved workflow and its revision live in the `workflows` store. */
export const WORKFLOW_KEY = 'current';
export const REVISION_KEY = 'current:revision';
export const CHANNEL_NAME = 'sequence-studio:workflow';

/** Stored next to the workflow, in the same transaction: who saved which revision when. */
export const zWorkflowRevision = z.object({ revision: z.number().int().min(0), tabId: z.string(), savedAt: z.number() });
export type WorkflowRevision = z.infer<typeof zWorkflowRevision>;

/** What tabs tell each other after a save: which workflow (its key; the old single workflow when absent) at which revision. */
const zSavedMessage = zWorkflowRevision.extend({ type: z.literal('workflow-saved'), key: z.string().default(WORKFLOW_KEY) });

/** The part of BroadcastChannel used here (tests pass a fake). */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  close(): void;
}

export interface TabSyncOptions {
  /** This page's id; a fresh one per page load (a duplicated tab is another writer). */
  tabId?: string;
  /** Null when the browser has no BroadcastChannel: saves still refuse to overwrite newer revisions. */
  channel?: ChannelLike | null;
  now?: () => number;
  /** Which workflow in the `workflows` store: one editor tab's (`tab:<id>`), or the single workflow of old (`current`). */
  key?: string;
}

export interface TabSync {
  readonly tabId: string;
  /** For restoreWorkflow and attachAutosave: load reads the revision too; save never overwrites another tab's newer one. */
  readonly storage: WorkflowStorage;
  /** The revision this tab last loaded or wrote. */
  knownRevision(): number;
  /** Called with another tab's newer revision (from the channel, or found when saving). */
  onConflict(listener: (head: WorkflowRevision) => void): () => void;
  /** The stored (other tab's) workflow and its revision; the next save of `adopt`ed data writes nothing. */
  readStored(): Promise<{ raw: unknown; head: WorkflowRevision | undefined }>;
  /** Takes the stored revision as ours: `workflow` is what was loaded from it. */
  adopt(workflow: Workflow, head: WorkflowRevision | undefined): void;
  /** Writes `workflow` over whatever is stored, as a new revision ("keep mine"). */
  forceSave(workflow: Workflow): Promise<void>;
  dispose(): void;
}

const randomId = () => globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

function defaultChannel(): ChannelLike | null {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
}

/**
 * Two tabs on one workflow: every autosave writes the workflow and a revision counter in one
 * transaction and tells the other tabs (BroadcastChannel). A tab that learns of a newer
 * revision than its own, or finds one when about to save, does not overwrite it: it reports a
 * conflict and the user chooses (reload theirs, or keep mine = write ours as a new revision).
 */
export function createTabSync(db: IDBPDatabase<StudioDB>, options: TabSyncOptions = {}): TabSync {
  const tabId = options.tabId ?? randomId();
  const channel = options.channel === undefined ? defaultChannel() : options.channel;
  const now = options.now ?? Date.now;
  const key = options.key ?? WORKFLOW_KEY;
  const revisionKey = key === WORKFLOW_KEY ? REVISION_KEY : `${key}:revision`;
  const listeners = new Set<(head: WorkflowRevision) => void>();
  let known = 0;
  let adopted: Workflow | undefined;

  let conflicted = false;
  const conflict = (head: WorkflowRevision) => {
    conflicted = true;
    listeners.forEach((l) => l(head));
  };
  // A page that is being hidden (reload, close, tab switch) may be gone before a read finishes:
  // then write at once, without reading the head first, and commit explicitly. Other tabs'
  // newer saves still reach us over the channel (`conflicted`), so this skips only the re-check.
  const leaving = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';
  const readHead = (raw: unknown) => {
    const parsed = zWorkflowRevision.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  };

  const write = async (workflow: Workflow, force: boolean): Promise<void> => {
    if (!force && leaving() && !conflicted) {
      const tx = db.transaction('workflows', 'readwrite');
      const next: WorkflowRevision = { revision: known + 1, tabId, savedAt: now() };
      const puts = [tx.store.put(workflow, key), tx.store.put(next, revisionKey)];
      tx.commit();
      await Promise.all([...puts, tx.done]);
      known = next.revision;
      adopted = undefined;
      channel?.postMessage({ type: 'workflow-saved', key, ...next });
      return;
    }
    const tx = db.transaction('workflows', 'readwrite');
    const head = readHead(await tx.store.get(revisionKey));
    if (!force && head && head.revision > known && head.tabId !== tabId) {
      await tx.done;
      conflict(head);
      return;
    }
    const next: WorkflowRevision = { revision: Math.max(head?.revision ?? 0, known) + 1, tabId, savedAt: now() };
    await Promise.all([tx.store.put(workflow, key), tx.store.put(next, revisionKey), tx.done]);
    known = next.revision;
    adopted = undefined;
    channel?.postMessage({ type: 'workflow-saved', key, ...next });
  };

  const onMessage = (e: { data: unknown }) => {
    const msg = zSavedMessage.safeParse(e.data);
    if (msg.success && msg.data.key === key && msg.data.tabId !== tabId && msg.data.revision > known) conflict(msg.data);
  };
  channel?.addEventListener('message', onMessage);

  const readStored = async () => {
    const tx = db.transaction('workflows', 'readonly');
    const [raw, head] = await Promise.all([tx.store.get(key), tx.store.get(revisionKey), tx.done]);
    return { raw, head: readHead(head) };
  };

  return {
    tabId,
    storage: {
      async load() {
        const { raw, head } = await readStored();
        known = head?.revision ?? 0;
        return raw;
      },
      async save(workflow) {
        // What we just took from the other tab is already stored: writing it back would look like a new change to them.
        if (workflow === adopted) return;
        await write(workflow, false);
      },
    },
    knownRevision: () => known,
    onConflict(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    readStored,
    adopt(workflow, head) {
      adopted = workflow;
      known = Math.max(known, head?.revision ?? 0);
    },
    forceSave: (workflow) => write(workflow, true),
    dispose() {
      channel?.removeEventListener('message', onMessage);
      channel?.close();
      listeners.clear();
    },
  };
}

/**
 * Connects tab sync to the store: conflicts show the banner (`otherTab`); "Reload theirs" opens
 * the stored workflow (one undo step, so Undo brings ours back); "Keep mine" writes ours as a
 * new revision, which the other tab then sees as a change of its own to decide on.
 */
export function connectTabSync(sync: TabSync, store: StudioStore, registry: NodeRegistry): TabActions & { dispose(): void } {
  const off = sync.onConflict((head) => {
    const current = store.getState().otherTab;
    if (!current || current.revision < head.revision) store.getState().setOtherTab({ revision: head.revision, savedAt: head.savedAt });
  });
  return {
    async reloadTheirs() {
      const { raw, head } = await sync.readStored();
      const loaded = loadWorkflow(raw, registry);
      const s = store.getState();
      if (!loaded.ok) {
        s.notify(`The other tab's workflow could not be read: ${loaded.issues.map((i) => i.message).join(' · ')}`, 'error');
        return;
      }
      sync.adopt(loaded.workflow, head);
      s.replaceWorkflow(loaded.workflow);
      s.setOtherTab(null);
      s.notify('Loaded the workflow as the other tab saved it. Undo brings yours back.');
    },
    async keepMine() {
      await sync.forceSave(store.getState().workflow);
      store.getState().setOtherTab(null);
    },
    dispose: off,
  };
}
