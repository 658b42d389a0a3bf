/**
 * Frame selections such as `1,3-5`: which items of an image list to keep, 1-based like the frame
 * numbers people see under a preview. Pure functions; problems come back as values.
 *
 * Syntax (items separated by commas, spaces ignored around items and around `-`):
 * - `n`      frame n;
 * - `a-b`    frames a to b inclusive; `5-3` counts down (5, 4, 3), so a range can also reverse;
 * - `a-`     frame a to the last frame.
 * Items keep the order written and may repeat (`3,1,1`), so a selection can reorder a sequence.
 * Not accepted: `0`, negative numbers, and `-b` (read as "from the start" by some tools and as
 * "b-th from the end" by others; `1-b` says it without doubt).
 */

/** One item of a parsed selection. */
export interface FrameSpan {
  /** First frame, 1-based. */
  from: number;
  /** Last frame, 1-based and inclusive, or `end` for an open range (`3-`). May be below `from`. */
  to: number | 'end';
  /** The item as written (trimmed), for messages. */
  text: string;
  /** 1-based character position of the item in the selection string. */
  position: number;
}

/** A syntax problem, pointing at the item that caused it. */
export interface FrameSyntaxError {
  message: string;
  /** 1-based character position of the bad item. */
  position: number;
  /** The bad item as written. */
  token: string;
}

/** A selection that names a frame the list does not have. */
export interface FrameRangeError {
  message: string;
  /** The 1-based frame number that does not exist. */
  frame: number;
  /** Length of the list the selection was applied to. */
  length: number;
  span: FrameSpan;
}

export type FrameParseResult = { ok: true; spans: FrameSpan[] } | { ok: false; error: FrameSyntaxError };
export type FrameResolveResult = { ok: true; indexes: number[] } | { ok: false; error: FrameRangeError };

const ITEM = /^(\d+)(?:\s*-\s*(\d*))?$/;
const HINT = 'use forms like 2, 1-3 or 4- separated by commas';

/** Parses a selection string. Spaces are ignored; an empty string or an empty item is an error. */
export function parseFrames(spec: string): FrameParseResult {
  if (spec.trim() === '') {
    return fail('Choose at least one frame, e.g. 1 or 1-3', 1, '');
  }
  const spans: FrameSpan[] = [];
  let offset = 0;
  for (const piece of spec.split(',')) {
    const lead = piece.length - piece.trimStart().length;
    const text = piece.trim();
    const position = offset + lead + 1;
    offset += piece.length + 1;
    if (text === '') {
      return fail(`Empty item at character ${position}: remove the extra comma`, position, text);
    }
    const span = parseItem(text, position);
    if ('message' in span) return { ok: false, error: span };
    spans.push(span);
  }
  return { ok: true, spans };
}

function parseItem(text: string, position: number): FrameSpan | FrameSyntaxError {
  const at = `"${text}" at character ${position}`;
  if (/^-\s*\d*$/.test(text)) {
    return syntaxError(`${at}: frames count from 1, with no negative numbers (write 1-3 for the first three, 3- for frame 3 to the end)`, position, text);
  }
  const m = ITEM.exec(text);
  if (!m) return syntaxError(`${at} is not a frame number or range: ${HINT}`, position, text);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : m[2] === '' ? 'end' : Number(m[2]);
  for (const n of [from, to]) {
    if (n === 'end') continue;
    if (n === 0) return syntaxError(`${at}: frames count from 1, there is no frame 0`, position, text);
    if (!Number.isSafeInteger(n)) return syntaxError(`${at}: the frame number is too large`, position, text);
  }
  return { from, to, text, position };
}

/**
 * Applies a parsed selection to a list of `length` items and returns 0-based indexes in selection
 * order, or the first frame that does not exist.
 */
export function resolveFrames(spans: readonly FrameSpan[], length: number): FrameResolveResult {
  const indexes: number[] = [];
  for (const span of spans) {
    const to = span.to === 'end' ? length : span.to;
    for (const frame of [span.from, to]) {
      if (frame > length) return { ok: false, error: outOfRange(span, frame, length) };
    }
    const step = to >= span.from ? 1 : -1;
    for (let f = span.from; f !== to + step; f += step) indexes.push(f - 1);
  }
  return { ok: true, indexes };
}

/**
 * Parses `spec` and picks those items from `items`: the one call a node needs.
 * Syntax and range problems come back as `{ok: false}` with a message naming the bad part.
 */
export function selectFrames<T>(spec: string, items: readonly T[]): { ok: true; items: T[] } | { ok: false; error: FrameSyntaxError | FrameRangeError } {
  const parsed = parseFrames(spec);
  if (!parsed.ok) return parsed;
  const resolved = resolveFrames(parsed.spans, items.length);
  if (!resolved.ok) return resolved;
  return { ok: true, items: resolved.indexes.map((i) => items[i] as T) };
}

function outOfRange(span: FrameSpan, frame: number, length: number): FrameRangeError {
  const has = length === 0 ? 'the list is empty' : `the list has ${length} image${length === 1 ? '' : 's'}`;
  const item = span.text === String(frame) ? '' : ` (in "${span.text}" at character ${span.position})`;
  return { message: `Frame ${frame} is out of range: ${has}${item}`, frame, length, span };
}

function syntaxError(message: string, position: number, token: string): FrameSyntaxError {
  return { message, position, token };
}

function fail(message: string, position: number, token: string): FrameParseResult {
  return { ok: false, error: syntaxError(message, position, token) };
}
