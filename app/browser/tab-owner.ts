/** Where the tab's owner id is kept: survives a reload of the tab, not a new tab. */
export const OWNER_KEY = 'sequence-studio:owner';

/** The parts of the Web Locks API used here. */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<unknown>): Promise<unknown>;
}

export interface TabOwnerDeps {
  /** `sessionStorage`, or undefined when it cannot be used (then every load is a new owner). */
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** `navigator.locks`, when there is one. */
  locks?: LockManagerLike;
  newId?: () => string;
  /** How long to wait for the previous page of this tab to let go of the id (default 2 s). */
  waitMs?: number;
}

export interface TabOwner {
  /** This tab's id as a ledger owner. */
  id: string;
  /** The id was this tab's before the page loaded (a reload): its jobs and its run are ours at once. */
  reloaded: boolean;
}

const randomId = () => `tab-${globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`}`;

/**
 * The ledger owner id of this tab. It is kept in sessionStorage, so a reload of the same tab is
 * the same owner and takes its jobs over at once, while another tab is another owner whose
 * leases decide. A duplicated tab copies sessionStorage too: the id is held with a Web Lock for
 * the page's life, and a page that cannot get the lock in time (the original tab still has it)
 * takes a new id.
 */
export async function claimTabOwner(deps: TabOwnerDeps): Promise<TabOwner> {
  const newId = deps.newId ?? randomId;
  let stored: string | null;
  try {
    stored = deps.storage?.getItem(OWNER_KEY) ?? null;
  } catch {
    stored = null;
  }
  const candidate = stored ?? newId();
  const held = deps.locks ? await holdLock(deps.locks, candidate, deps.waitMs ?? 2_000) : true;
  const id = held ? candidate : newId();
  if (!held && deps.locks) void holdLock(deps.locks, id, deps.waitMs ?? 2_000);
  try {
    deps.storage?.setItem(OWNER_KEY, id);
  } catch {
    // Without sessionStorage a reload is a new owner: its jobs are taken over when their lease ends.
  }
  return { id, reloaded: held && stored !== null };
}

/** Takes the lock named after `id` and keeps it until the page goes away; false when it is not free within `waitMs`. */
function holdLock(locks: LockManagerLike, id: string, waitMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), waitMs);
    locks
      .request(`sequence-studio:owner:${id}`, { signal: timeout.signal }, () => {
        clearTimeout(timer);
        resolve(true);
        // Held for the page's lifetime: released by the browser when the page unloads.
        return new Promise(() => undefined);
      })
      .catch(() => {
        clearTimeout(timer);
        resolve(false);
      });
  });
}
