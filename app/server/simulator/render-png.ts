import { stableHash } from '../../lib/hash';
import { Canvas, hsl, type Rgb } from './canvas';
import { fontSafe, GLYPH_ADVANCE, GLYPH_HEIGHT, textWidth } from './font';
import { encodeRgbPng } from './png-encode';
import type { RgbaImage } from './reference-image';

/** A reference as the thumbnail strip shows it: its pixels, or a labelled box when it has none. */
export type ReferenceThumb = { kind: 'image'; image: RgbaImage } | { kind: 'label'; label: string };

export interface FrameSpec {
  width: number;
  height: number;
  /** 0-based frame index; drawn 1-based as "2/4". */
  index: number;
  count: number;
  prompt: string;
  seed: number;
  resolution: string;
  references: readonly ReferenceThumb[];
}

const MARK = 'SIMULATED';
const WHITE: Rgb = [255, 255, 255];
const YELLOW: Rgb = [255, 214, 10];
const INK: Rgb = [12, 12, 16];
const PALE: Rgb = [200, 200, 210];

/**
 * One simulated output frame as PNG bytes. The background (hue pair and pattern) comes from a hash
 * of (prompt, seed, index), so the same request always yields the same bytes and a new seed a
 * visibly different sequence. The frame carries a large SIMULATED mark, its index, the seed and
 * resolution, the start of the prompt and a strip of reference thumbnails.
 */
export function renderFramePng(spec: FrameSpec): Uint8Array {
  const { width: W, height: H } = spec;
  const canvas = new Canvas(W, H);
  paintBackground(canvas, stableHash({ prompt: spec.prompt, seed: spec.seed, index: spec.index }));

  const m = Math.max(2, Math.round(Math.min(W, H) * 0.03));
  const small = Math.max(1, Math.floor(Math.min(W, H) / 320));
  const lineH = (GLYPH_HEIGHT + 3) * small;

  // Centre block: SIMULATED and "i/n" on one dark band.
  const big = Math.max(1, Math.floor(Math.min((W * 0.8) / textWidth(MARK, 1), (H * 0.16) / GLYPH_HEIGHT)));
  const idxScale = Math.max(1, Math.floor(big * 0.6));
  const idx = `${spec.index + 1}/${spec.count}`;
  const pad = Math.ceil(big * 1.5);
  const bandH = GLYPH_HEIGHT * (big + idxScale) + 3 * pad;
  const bandY = Math.round(H * 0.42 - bandH / 2);
  canvas.fillRect(0, bandY, W, bandH, INK, 0.72);
  const markY = bandY + pad;
  canvas.text(MARK, (W - textWidth(MARK, big)) / 2, markY, big, YELLOW);
  canvas.text(idx, (W - textWidth(idx, idxScale)) / 2, markY + GLYPH_HEIGHT * big + pad, idxScale, WHITE);

  // Header: what this is, seed and resolution, the start of the prompt — as many lines as fit.
  const perLine = Math.max(1, Math.floor((W - 2 * m) / (GLYPH_ADVANCE * small)));
  const prompt = wrap(fontSafe(spec.prompt), perLine, 2);
  const header = ['RUNCOMFY SIMULATOR - NOT SEEDREAM OUTPUT', `SEED ${spec.seed}  ${fontSafe(spec.resolution)}  FRAME ${idx}`, ...prompt].map((l) =>
    l.slice(0, perLine),
  );
  const fit = Math.max(0, Math.min(header.length, Math.floor((bandY - 2 * m) / lineH)));
  if (fit > 0) canvas.fillRect(0, 0, W, m + fit * lineH + m / 2, INK, 0.55);
  header.slice(0, fit).forEach((line, i) => canvas.text(line, m, m + i * lineH, small, i === 0 ? YELLOW : WHITE));

  drawReferenceStrip(canvas, spec.references, m, small, bandY + bandH);
  return encodeRgbPng(W, H, canvas.data);
}

function paintBackground(canvas: Canvas, hashHex: string): void {
  const byte = (i: number) => parseInt(hashHex.slice(i * 2, i * 2 + 2), 16);
  const h1 = (byte(0) / 255) * 360;
  const a = hsl(h1, 0.55, 0.42);
  const b = hsl(h1 + 60 + (byte(1) % 120), 0.5, 0.3);
  const period = Math.max(3, Math.round(Math.min(canvas.width, canvas.height) / (6 + (byte(3) % 14))));
  const cx = canvas.width / 2;
  const cy = canvas.height / 2;
  const patterns: ((x: number, y: number) => number)[] = [
    (x, y) => Math.floor((x + y) / period),
    (x, y) => Math.floor(x / period) + Math.floor(y / period),
    (x, y) => Math.floor(Math.hypot(x - cx, y - cy) / period),
  ];
  const pattern = patterns[byte(2) % patterns.length]!;
  canvas.paint((x, y) => (pattern(x, y) % 2 === 0 ? a : b));
}

/** Thumbnails of the references in one row along the bottom edge. */
function drawReferenceStrip(canvas: Canvas, refs: readonly ReferenceThumb[], m: number, small: number, top: number): void {
  const { width: W, height: H } = canvas;
  const labelH = (GLYPH_HEIGHT + 3) * small;
  const stripH = Math.round(H * 0.2);
  const y0 = H - m - stripH;
  if (refs.length === 0 || y0 - labelH < top) return;
  const gap = Math.max(1, Math.round(m / 2));
  const cell = Math.max(1, Math.min(stripH, Math.floor((W - 2 * m - gap * (refs.length - 1)) / refs.length)));
  canvas.fillRect(0, y0 - labelH - gap, W, H - y0 + labelH + gap, INK, 0.55);
  canvas.text(fontSafe(`REFERENCES (${refs.length})`), m, y0 - labelH, small, WHITE);
  refs.forEach((ref, i) => {
    const x = m + i * (cell + gap);
    canvas.fillRect(x, y0, cell, cell, [40, 40, 48]);
    if (ref.kind === 'image') canvas.image(ref.image, x, y0, cell, cell);
    else {
      const text = fontSafe(ref.label).slice(0, Math.max(1, Math.floor(cell / (GLYPH_ADVANCE * small))));
      canvas.text(text, x + (cell - textWidth(text, small)) / 2, y0 + (cell - GLYPH_HEIGHT * small) / 2, small, PALE);
    }
  });
}

/** Up to `maxLines` lines of at most `perLine` characters, breaking at spaces where possible. */
function wrap(text: string, perLine: number, maxLines: number): string[] {
  const lines: string[] = [];
  let rest = text.trim();
  while (rest && lines.length < maxLines) {
    if (rest.length <= perLine) {
      lines.push(rest);
      break;
    }
    const cut = rest.lastIndexOf(' ', perLine);
    const at = cut > perLine / 2 ? cut : perLine;
    lines.push(lines.length === maxLines - 1 ? `${rest.slice(0, perLine - 3)}...` : rest.slice(0, at));
    rest = rest.slice(at).trim();
  }
  return lines;
}
