import { parseFrames, resolveFrames } from '../../../nodes/frame-range';

/** 1-based frame numbers as the shortest selection text: [1,2,3,5] → "1-3,5". */
export function compactFrames(frames: Iterable<number>): string {
  const sorted = [...new Set(frames)].filter((n) => Number.isInteger(n) && n >= 1).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The 1-based frames a selection picks from a list of `length`, or undefined when it does not apply. */
export function framesPicked(spec: string, length: number): ReadonlySet<number> | undefined {
  const parsed = parseFrames(spec);
  if (!parsed.ok) return undefined;
  const resolved = resolveFrames(parsed.spans, length);
  return resolved.ok ? new Set(resolved.indexes.map((i) => i + 1)) : undefined;
}

/** The selection with `frame` added or removed (frames keep ascending order). */
export function toggleFrame(spec: string, length: number, frame: number): string {
  const picked = new Set(framesPicked(spec, length) ?? []);
  if (picked.has(frame)) picked.delete(frame);
  else picked.add(frame);
  return compactFrames(picked);
}
