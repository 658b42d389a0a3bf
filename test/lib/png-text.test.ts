import { decode, encode } from 'fast-png';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../app/lib/crc32';
import { encodeTextChunk, insertPngText, readPngTextChunks, type PngTextChunk } from '../../app/lib/png-text';

/** A small RGB PNG from fast-png, optionally with its own tEXt chunks. */
const png = (text?: Record<string, string>) =>
  encode({ width: 4, height: 3, channels: 3, depth: 8, data: new Uint8Array(36).map((_, i) => i * 7), ...(text ? { text } : {}) });

const chunksOf = (bytes: Uint8Array): PngTextChunk[] => {
  const r = readPngTextChunks(bytes);
  if (!r.ok) throw new Error(r.message);
  return r.chunks;
};

/** Chunk types in file order, by walking the file. */
function chunkTypes(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: string[] = [];
  for (let at = 8; at < bytes.length; at += 12 + view.getUint32(at)) types.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)));
  return types;
}

/** A raw chunk with a correct CRC, for hand-made files. */
function rawChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(
    Array.from(type, (c) => c.charCodeAt(0)),
    4,
  );
  out.set(data, 8);
  new DataView(out.buffer).setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** `png` with `chunk` spliced in just before IEND. */
function withChunk(bytes: Uint8Array, chunk: Uint8Array): Uint8Array {
  const iend = bytes.length - 12;
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, iend));
  out.set(chunk, iend);
  out.set(bytes.subarray(iend), iend + chunk.length);
  return out;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('crc32', () => {
  it('matches the standard check value when given "123456789"', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });
});

describe('insertPngText', () => {
  it('writes a tEXt chunk before IEND that fast-png reads with CRC checks on when the text is ASCII', () => {
    const out = insertPngText(png(), 'workflow', '{"schemaVersion":2}');
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(chunkTypes(out.bytes).slice(-2)).toEqual(['tEXt', 'IEND']);
    const decoded = decode(out.bytes, { checkCrc: true });
    expect(decoded.text).toEqual({ workflow: '{"schemaVersion":2}' });
    expect([...decoded.data]).toEqual([...decode(png()).data]);
  });

  it('writes an uncompressed UTF-8 iTXt chunk when the text is not ASCII, and reads it back', () => {
    const text = JSON.stringify({ name: 'Сцена 1 — 夜の街 🌃', note: 'café' });
    const out = insertPngText(png(), 'workflow', text);
    if (!out.ok) throw new Error(out.message);
    expect(chunkTypes(out.bytes)).toContain('iTXt');
    expect(() => decode(out.bytes, { checkCrc: true })).not.toThrow();
    expect(chunksOf(out.bytes)).toEqual([{ type: 'iTXt', keyword: 'workflow', text }]);
  });

  it('keeps other text chunks and replaces an earlier one with the same keyword', () => {
    const first = insertPngText(png({ Author: 'Ada', Comment: 'first' }), 'workflow', 'old');
    if (!first.ok) throw new Error(first.message);
    const second = insertPngText(first.bytes, 'workflow', 'new');
    if (!second.ok) throw new Error(second.message);
    expect(chunksOf(second.bytes).map((c) => [c.keyword, c.text])).toEqual([
      ['Author', 'Ada'],
      ['Comment', 'first'],
      ['workflow', 'new'],
    ]);
    expect(decode(second.bytes, { checkCrc: true }).text).toEqual({ Author: 'Ada', Comment: 'first', workflow: 'new' });
  });

  it.each([
    ['an empty keyword', '', 'x', 'bad-keyword'],
    ['a keyword over 79 characters', 'k'.repeat(80), 'x', 'bad-keyword'],
    ['a keyword with a leading space', ' workflow', 'x', 'bad-keyword'],
    ['text with a NUL', 'workflow', 'a\0b', 'bad-text'],
  ])('refuses %s', (_case, keyword, text, code) => {
    expect(insertPngText(png(), keyword, text)).toMatchObject({ ok: false, code });
  });

  it('refuses bytes that are not a PNG without throwing', () => {
    expect(insertPngText(ascii('GIF89a....'), 'workflow', 'x')).toMatchObject({ ok: false, code: 'not-png' });
  });
});

describe('readPngTextChunks', () => {
  it('reads zTXt and compressed iTXt chunks', () => {
    const z = rawChunk('zTXt', concat(ascii('Comment'), [0, 0], zlibSync(ascii('squeezed'))));
    const i = rawChunk(
      'iTXt',
      concat(ascii('Title'), [0, 1, 0], ascii('fr'), [0], new TextEncoder().encode('Titre'), [0], zlibSync(new TextEncoder().encode('Été'))),
    );
    expect(chunksOf(withChunk(withChunk(png(), z), i))).toEqual([
      { type: 'zTXt', keyword: 'Comment', text: 'squeezed' },
      { type: 'iTXt', keyword: 'Title', text: 'Été', languageTag: 'fr', translatedKeyword: 'Titre' },
    ]);
  });

  it('decodes tEXt as Latin-1 when it is not UTF-8, and as UTF-8 when a writer put UTF-8 there', () => {
    const latin = rawChunk('tEXt', concat(ascii('Comment'), [0], [0x63, 0x61, 0x66, 0xe9]));
    const utf = rawChunk('tEXt', concat(ascii('workflow'), [0], new TextEncoder().encode('"naïve"')));
    expect(chunksOf(withChunk(withChunk(png(), latin), utf)).map((c) => c.text)).toEqual(['café', '"naïve"']);
  });

  it('skips and reports a text chunk whose CRC does not match', () => {
    const good = insertPngText(png(), 'workflow', 'hello');
    if (!good.ok) throw new Error(good.message);
    const bad = good.bytes.slice();
    const at = bad.length - 12 - 5; // a byte of the text, leaving the stored CRC stale
    bad[at] = bad[at]! ^ 0xff;
    const r = readPngTextChunks(bad);
    expect(r).toMatchObject({ ok: true, chunks: [], skipped: [{ type: 'tEXt', reason: expect.stringMatching(/CRC/) }] });
  });

  it('skips compressed text that would inflate past the cap', () => {
    const bomb = rawChunk('zTXt', concat(ascii('bomb'), [0, 0], zlibSync(new Uint8Array(2_000_000))));
    const r = readPngTextChunks(withChunk(png(), bomb), { maxTextBytes: 1_000_000 });
    expect(r).toMatchObject({ ok: true, chunks: [], skipped: [{ type: 'zTXt', reason: expect.stringMatching(/too-large/) }] });
  });

  it.each([
    ['an empty array', () => new Uint8Array(), 'not-png'],
    ['garbage', () => ascii('definitely not an image at all'), 'not-png'],
    ['a PNG cut inside a chunk', () => png().subarray(0, 40), 'truncated'],
    ['a PNG without its IEND', () => png().subarray(0, png().length - 12), 'truncated'],
    [
      'a chunk length pointing past the end',
      () => {
        const b = png().slice();
        b[8] = 0x7f;
        return b;
      },
      'truncated',
    ],
    [
      'a chunk type that is not letters',
      () => {
        const b = png().slice();
        b[12] = 0x31;
        return b;
      },
      'bad-chunk',
    ],
    ['a file that does not start with IHDR', () => concat(png().subarray(0, 8), rawChunk('tEXt', ascii('a\0b')), png().subarray(8)), 'bad-chunk'],
  ])('refuses %s as a value, never throwing', (_case, make, code) => {
    expect(readPngTextChunks(make())).toMatchObject({ ok: false, code });
  });

  it('refuses files over the size cap before scanning them', () => {
    expect(readPngTextChunks(png(), { maxBytes: 10 })).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('refuses values that are not bytes at all when called from untyped code', () => {
    expect(readPngTextChunks('not bytes' as unknown as Uint8Array)).toMatchObject({ ok: false, code: 'not-png' });
  });

  it('skips text chunks with no keyword terminator', () => {
    const r = readPngTextChunks(withChunk(png(), rawChunk('tEXt', ascii('no terminator here'))));
    expect(r).toMatchObject({ ok: true, chunks: [], skipped: [{ reason: 'no valid keyword' }] });
  });
});

describe('encodeTextChunk', () => {
  it('lays out length, type, keyword, NUL, text and CRC when the text is ASCII', () => {
    const c = encodeTextChunk('k', 'v');
    if (!c.ok) throw new Error(c.message);
    expect([...c.bytes.subarray(0, 11)]).toEqual([0, 0, 0, 3, ...ascii('tEXt'), 0x6b, 0, 0x76]);
    expect(new DataView(c.bytes.buffer).getUint32(11)).toBe(crc32(c.bytes.subarray(4, 11)));
  });
});
