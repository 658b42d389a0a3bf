import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRunTimeModel, RunTimeModel, type RunTimeSnapshot } from '../../app/api/run-time-model';
import { FileRunTimeStore } from '../../app/server/file-run-time-store';
import { FakeClock } from '../fixtures/fake-clock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-times-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const snapshot = (): RunTimeSnapshot => {
  const model = new RunTimeModel();
  for (const ms of [20_000, 22_000, 21_000]) model.observe({ maxImages: 5, resolution: '2K' }, ms);
  return model.snapshot();
};

describe('FileRunTimeStore', () => {
  it('loads what an earlier instance saved when a new process starts', async () => {
    await new FileRunTimeStore(join(dir, 'cache')).save(snapshot());
    const warm = await loadRunTimeModel(new FileRunTimeStore(join(dir, 'cache')));
    expect(warm.estimate({ maxImages: 5, resolution: '2K' })).toEqual({ expectedMs: 21_000, floorMs: 20_000 * 0.8 - 3_000, learned: true });
    expect(await readdir(join(dir, 'cache'))).toEqual(['run-times.json']);
  });

  it('loads nothing when there is no file yet', async () => {
    expect(await new FileRunTimeStore(dir).load()).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"version": 1, "classes": ['],
    ['an older version', JSON.stringify({ version: 0, times: {} })],
    ['the wrong shape', JSON.stringify({ version: 1, classes: 'many' })],
  ])('loads nothing, without throwing, when the file is %s', async (_what, text) => {
    await writeFile(join(dir, 'run-times.json'), text);
    const store = new FileRunTimeStore(dir);
    expect(await store.load()).toBeUndefined();
    expect((await loadRunTimeModel(store)).snapshot().classes).toEqual([]);
  });

  it('replaces a corrupt file on the next save', async () => {
    await writeFile(join(dir, 'run-times.json'), 'garbage');
    const store = new FileRunTimeStore(dir);
    await store.save(snapshot());
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual(snapshot());
  });

  it('leaves one valid file and no temp files when saves overlap', async () => {
    const store = new FileRunTimeStore(dir);
    await Promise.all(Array.from({ length: 8 }, () => store.save(snapshot())));
    expect(await readdir(dir)).toEqual(['run-times.json']);
    expect(await store.load()).toEqual(snapshot());
  });

  it('rejects with the path when the cache dir cannot be written', async () => {
    await writeFile(join(dir, 'blocker'), 'a file, not a folder');
    await expect(new FileRunTimeStore(join(dir, 'blocker')).save(snapshot())).rejects.toThrow(/run-times\.json/);
  });
});

describe('FileRunTimeStore.saveSoon', () => {
  const learned = (ms: number): RunTimeSnapshot => {
    const model = new RunTimeModel();
    model.observe({ maxImages: 1, resolution: '2K' }, ms);
    return model.snapshot();
  };
  const onDisk = async (store: FileRunTimeStore) => JSON.parse(await readFile(store.path, 'utf8')) as RunTimeSnapshot;

  it('writes at once, then at most once per interval with the latest snapshot, when jobs finish in a burst', async () => {
    const clock = new FakeClock();
    const store = new FileRunTimeStore(dir, { clock, minIntervalMs: 1_000 });
    const taken: number[] = [];
    const take = (ms: number) => () => (taken.push(ms), learned(ms));
    await store.saveSoon(take(10_000));
    expect(await onDisk(store)).toEqual(learned(10_000));
    const later = [store.saveSoon(take(11_000)), store.saveSoon(take(12_000))];
    await clock.advance(999);
    expect(await onDisk(store)).toEqual(learned(10_000));
    await clock.advance(1);
    await Promise.all(later);
    expect(await onDisk(store)).toEqual(learned(12_000));
    expect(taken).toEqual([10_000, 12_000]);
    expect(await readdir(dir)).toEqual(['run-times.json']);
  });

  it('writes what is pending at once when saved at close, and nothing after', async () => {
    const clock = new FakeClock();
    const store = new FileRunTimeStore(dir, { clock, minIntervalMs: 1_000 });
    await store.saveSoon(() => learned(10_000));
    let takenLate = false;
    const pending = store.saveSoon(() => ((takenLate = true), learned(11_000)));
    await store.save(learned(13_000));
    await pending;
    expect(await onDisk(store)).toEqual(learned(13_000));
    expect(clock.pending).toBe(0);
    await clock.advance(5_000);
    expect(takenLate).toBe(false);
    expect(await onDisk(store)).toEqual(learned(13_000));
  });

  it('writes at once again when a whole interval passed since the last write', async () => {
    const clock = new FakeClock();
    const store = new FileRunTimeStore(dir, { clock, minIntervalMs: 1_000 });
    await store.saveSoon(() => learned(10_000));
    await clock.advance(1_500);
    await store.saveSoon(() => learned(14_000));
    expect(await onDisk(store)).toEqual(learned(14_000));
    expect(clock.pending).toBe(0);
  });

  it('never rejects when the file cannot be written', async () => {
    await writeFile(join(dir, 'blocker'), 'a file, not a folder');
    await expect(new FileRunTimeStore(join(dir, 'blocker')).saveSoon(() => snapshot())).resolves.toBeUndefined();
  });
});
