import { zipSync, type Zippable } from 'fflate';
import type { ImageRef } from '../../graph/ports';
import { embedWorkflowInPng } from '../../graph/workflow-png';
import { zWorkflow } from '../../graph/workflow-schema';
import type { HistoryEntry } from '../../store/history-entry';

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };
const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-01-31_142501_<request id>`: sorts by time, names the request. */
export function entryFolder(entry: HistoryEntry): string {
  const d = new Date(entry.finishedAt);
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}_${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  return `${stamp}_${entry.requestId.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80)}`;
}

/** What the zip says about an entry, without the graph (that goes in its own file). */
function manifestOf(entry: HistoryEntry, files: string[]) {
  const { workflow: _graph, ...rest } = entry;
  return { ...rest, files };
}

/**
 * A zip of history entries: one folder per generation with its frames (PNGs carry the graph
 * that made them, as Save does), `workflow.json` when the graph is known, and a top-level
 * `history.json` listing every entry. Frames whose bytes are gone are listed as missing.
 */
export async function historyZip(entries: readonly HistoryEntry[], bytesOf: (ref: ImageRef) => Promise<Uint8Array>): Promise<Uint8Array> {
  const files: Zippable = {};
  const manifest: unknown[] = [];
  for (const entry of entries) {
    const folder = entryFolder(entry);
    const workflow = zWorkflow.safeParse(entry.workflow);
    const names: string[] = [];
    const missing: string[] = [];
    for (const [i, ref] of entry.images.entries()) {
      const name = `${folder}/frame-${pad(i + 1)}.${EXT[ref.mime] ?? 'png'}`;
      try {
        let bytes = await bytesOf(ref);
        if (workflow.success && ref.mime === 'image/png') {
          const embedded = embedWorkflowInPng(bytes, workflow.data);
          if (embedded.ok) bytes = embedded.bytes;
        }
        files[name] = [bytes, { level: 0 }];
        names.push(name);
      } catch {
        missing.push(ref.assetId);
      }
    }
    if (workflow.success) files[`${folder}/workflow.json`] = new TextEncoder().encode(`${JSON.stringify(workflow.data, null, 2)}\n`);
    manifest.push({ ...manifestOf(entry, names), ...(missing.length ? { missingAssets: missing } : {}) });
  }
  files['history.json'] = new TextEncoder().encode(`${JSON.stringify({ entries: manifest }, null, 2)}\n`);
  return zipSync(files);
}
