/**
 * The workflow the UI benchmark opens: 300 nodes as 60 chains of Load Image → Seedream →
 * Select frames → Merge → Preview (240 links), chains in 5 columns and 12 rows, packed so the
 * whole board fits the editor's smallest zoom (0.1) on a 1400 × 860 window. Plain workflow JSON, opened through the editor's own Open… path.
 */
import type { ImageRef } from '../../app/graph/ports';

export const UI_BENCH_CHAINS = 60;
const COLUMNS = 5;
const STEP_X = 330;
const CHAIN_WIDTH = 5 * STEP_X + 150;
const STEP_Y = 560;

export function uiBenchWorkflow(image: ImageRef, chains = UI_BENCH_CHAINS): Record<string, unknown> {
  const nodes: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  const kinds = ['image.load', 'seedream.edit-sequential', 'image.select', 'image.merge', 'image.preview'] as const;
  const ids = ['load', 'gen', 'sel', 'merge', 'view'] as const;
  const params = (kind: (typeof kinds)[number], i: number): Record<string, unknown> => {
    switch (kind) {
      case 'image.load':
        return { image };
      case 'seedream.edit-sequential':
        return { prompt: `Generate 3 images: boat ${i} at dawn, noon and dusk`, maxImages: 3, resolution: '2048x2048 (1:1)', seed: 1000 + i };
      case 'image.select':
        return { frames: '1-2' };
      case 'image.merge':
        return { dedupe: false };
      default:
        return {};
    }
  };
  for (let i = 0; i < chains; i++) {
    const x0 = (i % COLUMNS) * CHAIN_WIDTH;
    const y0 = Math.floor(i / COLUMNS) * STEP_Y;
    kinds.forEach((kind, k) => {
      nodes.push({ id: `${ids[k]}${i}`, kind, kindVersion: 1, params: params(kind, i), position: { x: x0 + k * STEP_X, y: y0 } });
    });
    const links: [string, string, string, string][] = [
      [`load${i}`, 'image', `gen${i}`, 'images'],
      [`gen${i}`, 'images', `sel${i}`, 'images'],
      [`sel${i}`, 'images', `merge${i}`, 'images'],
      [`merge${i}`, 'images', `view${i}`, 'images'],
    ];
    links.forEach(([sn, sp, tn, tp], k) => edges.push({ id: `e${i}-${k}`, source: { node: sn, port: sp }, target: { node: tn, port: tp } }));
  }
  return { schemaVersion: 2, meta: { name: `UI bench (${nodes.length} nodes)` }, nodes, edges };
}
