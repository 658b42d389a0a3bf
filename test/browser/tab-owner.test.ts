import { describe, expect, it } from 'vitest';
import { claimTabOwner, OWNER_KEY, type LockManagerLike } from '../../app/browser/tab-owner';

/** sessionStorage of one tab. */
const tabStorage = (initial: Record<string, string> = {}) => {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
};

/** Web Locks shared by the pages of one browser: a held lock stays held until released. */
function fakeLocks() {
  const held = new Map<string, () => void>();
  const locks: LockManagerLike = {
    request(name, options, callback) {
      if (held.has(name)) {
        return new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(new Error('AbortError')), { once: true }));
      }
      let release!: () => void;
      const done = new Promise<void>((r) => (release = r));
      held.set(name, release);
      void callback();
      return done;
    },
  };
  return { locks, release: (name: string) => (held.get(name)?.(), held.delete(name)) };
}

let seq = 0;
const newId = () => `tab-${++seq}`;

describe('claimTabOwner', () => {
  it('gives a new tab a new id and keeps it in sessionStorage', async () => {
    const storage = tabStorage();
    const owner = await claimTabOwner({ storage, locks: fakeLocks().locks, newId });
    expect(owner.reloaded).toBe(false);
    expect(storage.data.get(OWNER_KEY)).toBe(owner.id);
  });

  it('is the same owner after a reload of the tab, once the old page let go of the id', async () => {
    const { locks, release } = fakeLocks();
    const storage = tabStorage();
    const first = await claimTabOwner({ storage, locks, newId });
    release(`sequence-studio:owner:${first.id}`);
    const again = await claimTabOwner({ storage, locks, newId });
    expect(again).toEqual({ id: first.id, reloaded: true });
  });

  it('takes a new id in a duplicated tab whose original still holds the id', async () => {
    const { locks } = fakeLocks();
    const original = await claimTabOwner({ storage: tabStorage(), locks, newId });
    const copy = tabStorage({ [OWNER_KEY]: original.id });
    const duplicate = await claimTabOwner({ storage: copy, locks, newId, waitMs: 5 });
    expect(duplicate.id).not.toBe(original.id);
    expect(duplicate.reloaded).toBe(false);
    expect(copy.data.get(OWNER_KEY)).toBe(duplicate.id);
  });

  it('still works without sessionStorage or Web Locks (every load is a new owner)', async () => {
    const owner = await claimTabOwner({ storage: undefined, newId });
    expect(owner.reloaded).toBe(false);
    expect(owner.id).toMatch(/^tab-/);
  });
});
