import { Unzlib } from 'fflate';
import { crc32 } from './crc32';

/**
 * PNG text chunks (`tEXt`, `zTXt`, `iTXt`) on plain Uint8Arrays, in the browser and in Node.
 * Reading never throws on bad input: malformed files come back as `{ ok: false, code, message }`,
 * and single damaged text chunks are skipped and listed. Writing adds an uncompressed chunk just
 * before IEND, the way ComfyUI-style tools read and write their `workflow` and `prompt` chunks.
 */

/** Files larger than this are refused before scanning (4K PNGs are tens of MB at most). */
export const MAX_PNG_BYTES = 256 * 1024 * 1024;
/** Text (after decompression) larger than this is skipped: a cap against zip bombs. */
export const MAX_PNG_TEXT_BYTES = 8 * 1024 * 1024;

export type PngTextChunkType = 'tEXt' | 'zTXt' | 'iTXt';

/** One text chunk as read from a file. */
export interface PngTextChunk {
  type: PngTextChunkType;
  keyword: string;
  text: string;
  /** iTXt only. */
  languageTag?: string;
  /** iTXt only. */
  translatedKeyword?: string;
}

export type PngTextErrorCode = 'not-png' | 'too-large' | 'truncated' | 'bad-chunk' | 'bad-keyword' | 'bad-text';
export interface PngTextFailure {
  ok: false;
  code: PngTextErrorCode;
  message: string;
}

export interface PngTextReadOptions {
  maxBytes?: number;
  maxTextBytes?: number;
}

interface RawChunk {
  type: string;
  /** Offset of the length field. */
  start: number;
  dataStart: number;
  length: number;
  /** Offset just past the CRC. */
  end: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` start with the PNG signature (the first 8 bytes are enough). */
export const hasPngSignature = (bytes: Uint8Array): boolean => bytes.length >= 8 && SIGNATURE.every((v, i) => bytes[i] === v);
const TEXT_TYPES: readonly string[] = ['tEXt', 'zTXt', 'iTXt'];
const fail = (code: PngTextErrorCode, message: string): PngTextFailure => ({ ok: false, code, message });
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Walks the chunk list from the signature to IEND, checking only structure (not CRCs). */
function scanChunks(bytes: unknown, maxBytes = MAX_PNG_BYTES): { ok: true; chunks: RawChunk[] } | PngTextFailure {
  if (!(bytes instanceof Uint8Array)) return fail('not-png', 'Expected the bytes of a PNG file.');
  if (bytes.length > maxBytes) {
    return fail('too-large', `The file is ${(bytes.length / 1048576).toFixed(1)} MiB; PNGs over ${maxBytes / 1048576} MiB are not read.`);
  }
  if (!hasPngSignature(bytes)) return fail('not-png', 'This is not a PNG file (its first bytes are not the PNG signature).');
  const chunks: RawChunk[] = [];
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length) return fail('truncated', 'The PNG file is cut short: it ends before its IEND chunk.');
    const length = u32(bytes, at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) return fail('bad-chunk', `The PNG file is damaged: a bad chunk header at byte ${at}.`);
    const end = at + 12 + length;
    if (end > bytes.length) return fail('truncated', `The PNG file is cut short inside its ${type} chunk.`);
    if (chunks.length === 0 && type !== 'IHDR') return fail('bad-chunk', 'The PNG file is damaged: it does not start with an IHDR chunk.');
    chunks.push({ type, start: at, dataStart: at + 8, length, end });
    if (type === 'IEND') return { ok: true, chunks };
    at = end;
  }
}

const crcOk = (b: Uint8Array, c: RawChunk) => crc32(b.subarray(c.start + 4, c.dataStart + c.length)) === u32(b, c.dataStart + c.length);

/** ISO-8859-1 exactly (TextDecoder's "latin1" is really windows-1252). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

const utf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
};

/** Inflates zlib data, giving up past `cap` bytes of output. */
function inflate(data: Uint8Array, cap: number): Uint8Array | 'too-large' | 'corrupt' {
  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > cap) throw new RangeError('cap');
    parts.push(chunk);
  });
  try {
    if (data.length === 0) return 'corrupt';
    for (let i = 0; i < data.length; i += 65536) inflater.push(data.subarray(i, i + 65536), i + 65536 >= data.length);
  } catch {
    return total > cap ? 'too-large' : 'corrupt';
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes one text chunk's data, or says why it was skipped. */
function decodeText(type: string, data: Uint8Array, cap: number): PngTextChunk | string {
  const nul = data.indexOf(0);
  if (nul < 1 || nul > 79) return 'no valid keyword';
  const keyword = latin1(data.subarray(0, nul));
  let body = data.subarray(nul + 1);
  // Text meant as UTF-8 (what ComfyUI-style readers assume) decodes as such; anything else is Latin-1 per the spec.
  const legacy = (bytes: Uint8Array) => utf8(bytes) ?? latin1(bytes);
  if (type === 'tEXt') return body.length > cap ? 'text too large' : { type, keyword, text: legacy(body) };
  if (type === 'zTXt') {
    if (body[0] !== 0) return 'unknown compression method';
    const inflated = inflate(body.subarray(1), cap);
    return typeof inflated === 'string' ? `compressed text ${inflated}` : { type, keyword, text: legacy(inflated) };
  }
  const [compressed, method] = [body[0], body[1]];
  if (compressed === undefined || method === undefined || compressed > 1 || method !== 0) return 'bad compression flags';
  body = body.subarray(2);
  const langEnd = body.indexOf(0);
  const transEnd = langEnd < 0 ? -1 : body.indexOf(0, langEnd + 1);
  if (transEnd < 0) return 'missing language tag or translated keyword';
  const languageTag = latin1(body.subarray(0, langEnd));
  const translatedKeyword = utf8(body.subarray(langEnd + 1, transEnd));
  let textBytes: Uint8Array | string = body.subarray(transEnd + 1);
  if (compressed === 1) textBytes = inflate(textBytes, cap);
  else if (textBytes.length > cap) textBytes = 'too-large';
  if (typeof textBytes === 'string') return `text ${textBytes}`;
  const text = utf8(textBytes);
  if (text === undefined || translatedKeyword === undefined) return 'text is not valid UTF-8';
  return {
    type: 'iTXt',
    keyword,
    text,
    ...(languageTag ? { languageTag } : {}),
    ...(translatedKeyword ? { translatedKeyword } : {}),
  };
}

/** What readPngTextChunks found: every readable text chunk in file order, and what it skipped. */
export interface PngTextRead {
  ok: true;
  chunks: PngTextChunk[];
  /** Text chunks left out because they were damaged (bad CRC, bad encoding, over the cap). */
  skipped: { type: string; reason: string }[];
}

/**
 * Every text chunk of a PNG. Refuses (as a value) what is not a well-formed PNG chunk list; a
 * damaged text chunk inside an otherwise sound file is skipped and reported in `skipped`.
 */
export function readPngTextChunks(bytes: Uint8Array, options: PngTextReadOptions = {}): PngTextRead | PngTextFailure {
  const scanned = scanChunks(bytes, options.maxBytes);
  if (!scanned.ok) return scanned;
  const cap = options.maxTextBytes ?? MAX_PNG_TEXT_BYTES;
  const result: PngTextRead = { ok: true, chunks: [], skipped: [] };
  for (const c of scanned.chunks) {
    if (!TEXT_TYPES.includes(c.type)) continue;
    if (!crcOk(bytes, c)) {
      result.skipped.push({ type: c.type, reason: 'CRC mismatch (the chunk is damaged)' });
      continue;
    }
    const decoded = decodeText(c.type, bytes.subarray(c.dataStart, c.dataStart + c.length), cap);
    if (typeof decoded === 'string') result.skipped.push({ type: c.type, reason: decoded });
    else result.chunks.push(decoded);
  }
  return result;
}

/** The type-and-data of a chunk plus its length and CRC, ready to splice into a file. */
export function chunkBytes(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** PNG keywords: 1–79 printable Latin-1 characters, no leading, trailing or double spaces. */
const isKeyword = (k: string) => /^[\x21-\x7e\xa1-\xff]([\x20-\x7e\xa1-\xff]{0,77}[\x21-\x7e\xa1-\xff])?$/.test(k) && !k.includes('  ');

/**
 * One uncompressed text chunk: `tEXt` when the text is plain ASCII (read identically as Latin-1,
 * as the spec says, and as UTF-8, as ComfyUI's reader does), else `iTXt` holding UTF-8.
 */
export function encodeTextChunk(keyword: string, text: string): { ok: true; bytes: Uint8Array } | PngTextFailure {
  if (!isKeyword(keyword)) return fail('bad-keyword', `"${keyword}" is not a PNG keyword (1–79 printable Latin-1 characters).`);
  if (text.includes('\0')) return fail('bad-text', 'PNG text cannot contain NUL characters.');
  const key = Uint8Array.from(keyword, (ch) => ch.charCodeAt(0));
  const body = new TextEncoder().encode(text);
  const ascii = [...text].every((ch) => ch.charCodeAt(0) < 0x80);
  const header = ascii ? [...key, 0] : [...key, 0, 0, 0, 0, 0]; // iTXt: uncompressed, method 0, no language, no translation
  const data = new Uint8Array(header.length + body.length);
  data.set(header);
  data.set(body, header.length);
  return { ok: true, bytes: chunkBytes(ascii ? 'tEXt' : 'iTXt', data) };
}

/**
 * A copy of `png` with a text chunk `keyword` = `text` just before IEND. Earlier text chunks
 * with the same keyword are dropped (a file carries one workflow, not a history of them);
 * every other chunk is kept byte for byte. Anything after IEND is dropped.
 */
export function insertPngText(png: Uint8Array, keyword: string, text: string): { ok: true; bytes: Uint8Array } | PngTextFailure {
  const scanned = scanChunks(png);
  if (!scanned.ok) return scanned;
  const chunk = encodeTextChunk(keyword, text);
  if (!chunk.ok) return chunk;
  const kept = scanned.chunks.filter((c) => !(TEXT_TYPES.includes(c.type) && keywordOf(png, c) === keyword));
  const iend = kept.pop()!;
  const size = kept.reduce((n, c) => n + (c.end - c.start), 8) + chunk.bytes.length + (iend.end - iend.start);
  const out = new Uint8Array(size);
  out.set(png.subarray(0, 8));
  let at = 8;
  for (const c of kept) {
    out.set(png.subarray(c.start, c.end), at);
    at += c.end - c.start;
  }
  out.set(chunk.bytes, at);
  out.set(png.subarray(iend.start, iend.end), at + chunk.bytes.length);
  return { ok: true, bytes: out };
}

function keywordOf(png: Uint8Array, c: RawChunk): string | undefined {
  const data = png.subarray(c.dataStart, c.dataStart + c.length);
  const nul = data.indexOf(0);
  return nul > 0 && nul < 80 ? latin1(data.subarray(0, nul)) : undefined;
}
