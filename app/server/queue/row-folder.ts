import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ImageRef } from '../../graph/ports';
import type { Workflow } from '../../graph/workflow-schema';
import { writeFileAtomic } from '../batch/batch-file';
import { FileOutputSink } from '../file-output-sink';
import type { PgAssetStore } from '../pg/pg-asset-store';
import { zRowSave } from './worker-row';

/** What writing a row's folder came to: its files (`<row id>/<file>`), and the images that could not be written. */
export interface RowFolder {
  files: string[];
  problems: string[];
}

/**
 * Writes `<out>/<row id>/` from the database: the images of every Save call the worker recorded
 * (bytes from the PostgreSQL asset store, through the same `FileOutputSink` a single run uses,
 * so each PNG carries its workflow), and its manifest with those files. The folder is built
 * beside and swapped in whole: it only ever holds what the database says (writing it again —
 * a re-run, `collect` — gives the same folder, never numbered duplicates). An image that cannot
 * be written is named in `problems`; the rest are written.
 */
export async function writeRowFolder(o: {
  outDir: string;
  rowId: string;
  workflow: unknown;
  saves: unknown;
  manifest: unknown;
  assets: PgAssetStore;
}): Promise<RowFolder> {
  const dir = join(o.outDir, o.rowId);
  const building = join(o.outDir, `.${o.rowId}.writing-${process.pid}`);
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  const sink = new FileOutputSink(building, o.assets, { workflow: o.workflow as Workflow });
  const problems: string[] = [];
  const saves = z.array(zRowSave).safeParse(o.saves);
  if (!saves.success) problems.push(`the row's recorded saves cannot be read (${saves.error.issues[0]?.message ?? 'bad shape'})`);
  const signal = new AbortController().signal;
  for (const save of saves.success ? saves.data : []) {
    // Missing bytes are named, not thrown: the other images of the call are still written, numbered as one call.
    const present: ImageRef[] = [];
    for (const image of save.images) {
      if (image.kind === 'asset' && !(await o.assets.info(image.assetId)))
        problems.push(`${save.nodeId}: image ${image.assetId.slice(0, 12)}… is missing from the database`);
      else present.push(image);
    }
    try {
      if (present.length) await sink.save(present, { nodeId: save.nodeId, prefix: save.prefix, signal });
    } catch (e) {
      problems.push(`${save.nodeId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (o.manifest && typeof o.manifest === 'object') {
    const manifest = { ...(o.manifest as Record<string, unknown>), files: sink.saved.map((f) => ({ ...f })) };
    await writeFileAtomic(join(building, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
  return { files: sink.saved.map((f) => `${o.rowId}/${f.file}`), problems };
}
