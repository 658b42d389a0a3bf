/**
 * The workflows the UI benchmark opens: chains of Load Image → Seedream → Select frames → Merge →
 * Preview (4 links each), laid out in a grid of columns and rows. The large board adds two
 * links per chain (Load Image → Merge, Seedream → Preview, both into `multiple` inputs), so 200
 * chains give 1,000 nodes and 1,200 links. Plain workflow JSON, opened through the editor's own
 * Open… path.
 */
import type { ImageRef } from '../../app/graph/ports';

/** One board the benchmark measures. */
export interface UiBenchScenario {
  /** Row label, e.g. "300 nodes / 240 links". */
  readonly label: string;
  readonly chains: number;
  readonly columns: number;
  /** Whether each chain gets the two extra links. */
  readonly crossLinks: boolean;
  /** A node near the middle of the board, so on screen at the fitted view and at zoom 1 around it. */
  readonly dragged: string;
}

export const UI_BENCH_SCENARIOS: readonly UiBenchScenario[] = [
  // 5 × 12 chains: the whole board fits the editor's smallest zoom (0.1) on a 1400 × 860 window.
  { label: '300 nodes / 240 links', chains: 60, columns: 5, crossLinks: false, dragged: 'gen27' },
  // 10 × 20 chains: at zoom 0.1 the opened view shows its middle (about 400 nodes).
  { label: '1,000 nodes / 1,200 links', chains: 200, columns: 10, crossLinks: true, dragged: 'gen104' },
];

const STEP_X = 330;
const CHAIN_WIDTH = 5 * STEP_X + 150;
const STEP_Y = 560;

const KINDS = ['image.load', 'seedream.edit-sequential', 'image.select', 'image.merge', 'image.preview'] as const;
const IDS = ['load', 'gen', 'sel', 'merge', 'view'] as const;

function paramsOf(kind: (typeof KINDS)[number], i: number, image: ImageRef): Record<string, unknown> {
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
}

/** The workflow of `scenario` (the 300-node board by default), every Load Image showing `image`. */
export function uiBenchWorkflow(
  image: ImageRef,
  scenario: Pick<UiBenchScenario, 'chains' | 'columns' | 'crossLinks'> = UI_BENCH_SCENARIOS[0]!,
): Record<string, unknown> {
  const nodes: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  for (let i = 0; i < scenario.chains; i++) {
    const x0 = (i % scenario.columns) * CHAIN_WIDTH;
    const y0 = Math.floor(i / scenario.columns) * STEP_Y;
    KINDS.forEach((kind, k) => {
      nodes.push({ id: `${IDS[k]}${i}`, kind, kindVersion: 1, params: paramsOf(kind, i, image), position: { x: x0 + k * STEP_X, y: y0 } });
    });
    const links: [string, string, string, string][] = [
      [`load${i}`, 'image', `gen${i}`, 'images'],
      [`gen${i}`, 'images', `sel${i}`, 'images'],
      [`sel${i}`, 'images', `merge${i}`, 'images'],
      [`merge${i}`, 'images', `view${i}`, 'images'],
    ];
    if (scenario.crossLinks) {
      links.push([`load${i}`, 'image', `merge${i}`, 'images'], [`gen${i}`, 'images', `view${i}`, 'images']);
    }
    links.forEach(([sn, sp, tn, tp], k) => edges.push({ id: `e${i}-${k}`, source: { node: sn, port: sp }, target: { node: tn, port: tp } }));
  }
  return { schemaVersion: 2, meta: { name: `UI bench (${nodes.length} nodes)` }, nodes, edges };
}
