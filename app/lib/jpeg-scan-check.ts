/**
 * Checks a sequential (baseline or extended, Huffman-coded, 8-bit) JPEG by decoding every
 * entropy-coded block: each Huffman code, each coefficient's place in its block, restart markers
 * in order, and the end of the file. It skips the inverse DCT and the colour conversion: they
 * cannot fail, and they (with the memory they need) are most of a full decode's cost. Corruption
 * and truncation show in the entropy-coded data, which is read whole.
 *
 * Progressive, lossless, arithmetic-coded or 12-bit files answer `unsupported`: decode those in
 * full. Lenient where libjpeg is (fill bytes, stray bytes between segments, padding bits after
 * the last block), strict where the data cannot be right (a code no table has, a coefficient past
 * its block, a scan cut short, no end marker).
 */
export type JpegScanCheck = { ok: true; width: number; height: number } | { ok: false; reason: string } | { ok: 'unsupported'; variant: string };

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  coded: boolean;
}

interface Frame {
  width: number;
  height: number;
  components: Component[];
  hmax: number;
  vmax: number;
}

/** A Huffman table: a 9-bit lookahead for short codes, the canonical limits for longer ones. */
interface Huffman {
  /** `(length << 8) | symbol` by the next 9 bits; 0 when the code is longer. */
  lookup: Uint16Array;
  maxcode: Int32Array;
  mincode: Int32Array;
  valptr: Int32Array;
  values: Uint8Array;
}

const LOOKAHEAD = 9;

class Corrupt extends Error {}
class Unsupported extends Error {}

const VARIANTS: Readonly<Record<number, string>> = {
  0xc2: 'progressive',
  0xc3: 'lossless',
  0xc5: 'hierarchical',
  0xc6: 'hierarchical progressive',
  0xc7: 'hierarchical lossless',
  0xc9: 'arithmetic-coded',
  0xca: 'arithmetic-coded progressive',
  0xcb: 'arithmetic-coded lossless',
  0xcd: 'hierarchical arithmetic-coded',
  0xce: 'hierarchical arithmetic-coded progressive',
  0xcf: 'hierarchical arithmetic-coded lossless',
};

/** Reads a JPEG's structure and every entropy-coded block (see the module comment). */
export function checkJpegScans(bytes: Uint8Array): JpegScanCheck {
  try {
    return new Scanner(bytes).run();
  } catch (e) {
    if (e instanceof Unsupported) return { ok: 'unsupported', variant: e.message };
    if (e instanceof Corrupt) return { ok: false, reason: e.message };
    throw e;
  }
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(17).fill(-1);
  const mincode = new Int32Array(17);
  const valptr = new Int32Array(17);
  const lookup = new Uint16Array(1 << LOOKAHEAD);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    if (n > 0) {
      valptr[len] = k;
      mincode[len] = code;
      for (let i = 0; i < n; i++, code++, k++) {
        if (len <= LOOKAHEAD) {
          const shift = LOOKAHEAD - len;
          const entry = (len << 8) | values[k]!;
          for (let j = 0; j < 1 << shift; j++) lookup[(code << shift) | j] = entry;
        }
      }
      maxcode[len] = code - 1;
      // As libjpeg: the codes of one length must fit it, the all-ones code included.
      if (code >= 1 << len) throw new Corrupt('a Huffman table is malformed');
    }
    code <<= 1;
  }
  return { lookup, maxcode, mincode, valptr, values };
}

class Scanner {
  private pos = 2;
  private frame: Frame | undefined;
  private readonly dc: (Huffman | undefined)[] = [];
  private readonly ac: (Huffman | undefined)[] = [];
  private readonly quant: boolean[] = [];
  private restartInterval = 0;
  private scans = 0;
  /** The current entropy-coded segment, unstuffed. */
  private readonly seg: Uint8Array;

  constructor(private readonly b: Uint8Array) {
    this.seg = new Uint8Array(b.length);
  }

  run(): JpegScanCheck {
    const b = this.b;
    if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw new Corrupt('it does not start like a JPEG file');
    for (;;) {
      const marker = this.nextMarker();
      if (marker === 0xd9) return this.finish();
      if (marker === 0xd8) throw new Corrupt('it has a second start-of-image marker');
      if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
      const length = this.u16(this.pos);
      if (length < 2 || this.pos + length > b.length) throw new Corrupt('a segment runs past the end of the file (truncated)');
      const body = b.subarray(this.pos + 2, this.pos + length);
      this.pos += length;
      if (marker === 0xc0 || marker === 0xc1) this.readFrame(body);
      else if (VARIANTS[marker] !== undefined) throw new Unsupported(VARIANTS[marker]);
      else if (marker === 0xc4) this.readHuffman(body);
      else if (marker === 0xdb) this.readQuant(body);
      else if (marker === 0xdd) this.restartInterval = body.length >= 2 ? (body[0]! << 8) | body[1]! : 0;
      else if (marker === 0xda) this.readScan(body);
      else if (marker === 0xcc) throw new Unsupported('arithmetic-coded');
    }
  }

  private u16(at: number): number {
    if (at + 2 > this.b.length) throw new Corrupt('it ends in the middle of a segment (truncated)');
    return (this.b[at]! << 8) | this.b[at + 1]!;
  }

  /** The next marker code, skipping fill bytes and (as libjpeg does) stray bytes before it. */
  private nextMarker(): number {
    const b = this.b;
    for (;;) {
      while (this.pos < b.length && b[this.pos] !== 0xff) this.pos++;
      while (this.pos < b.length && b[this.pos] === 0xff) this.pos++;
      if (this.pos >= b.length) throw new Corrupt('it ends before its end-of-image marker (truncated)');
      const marker = b[this.pos++]!;
      if (marker !== 0x00) return marker;
    }
  }

  private finish(): JpegScanCheck {
    const f = this.frame;
    if (!f || this.scans === 0) throw new Corrupt('it has no image data');
    const missing = f.components.find((c) => !c.coded);
    if (missing) throw new Corrupt(`the image data of component ${missing.id} is missing`);
    return { ok: true, width: f.width, height: f.height };
  }

  private readFrame(d: Uint8Array): void {
    if (this.frame) throw new Corrupt('it has more than one frame');
    if (d.length < 6) throw new Corrupt('its frame header is cut short');
    if (d[0] !== 8) throw new Unsupported(`${d[0]}-bit`);
    const height = (d[1]! << 8) | d[2]!;
    const width = (d[3]! << 8) | d[4]!;
    const n = d[5]!;
    if (height === 0) throw new Unsupported('height given after the first scan');
    if (width === 0 || n < 1 || n > 4 || d.length < 6 + 3 * n) throw new Corrupt('its frame header is malformed');
    const components: Component[] = [];
    for (let i = 0; i < n; i++) {
      const at = 6 + 3 * i;
      const h = d[at + 1]! >> 4;
      const v = d[at + 1]! & 15;
      const tq = d[at + 2]!;
      if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) throw new Corrupt('its frame header is malformed');
      components.push({ id: d[at]!, h, v, tq, coded: false });
    }
    const hmax = Math.max(...components.map((c) => c.h));
    const vmax = Math.max(...components.map((c) => c.v));
    this.frame = { width, height, components, hmax, vmax };
  }

  private readHuffman(d: Uint8Array): void {
    let at = 0;
    while (at < d.length) {
      if (at + 17 > d.length) throw new Corrupt('a Huffman table is cut short');
      const tc = d[at]! >> 4;
      const th = d[at]! & 15;
      if (tc > 1 || th > 3) throw new Corrupt('a Huffman table is malformed');
      const counts = d.subarray(at + 1, at + 17);
      const total = counts.reduce((s, c) => s + c, 0);
      if (total > 256 || at + 17 + total > d.length) throw new Corrupt('a Huffman table is malformed');
      const table = buildHuffman(counts, d.subarray(at + 17, at + 17 + total));
      (tc === 0 ? this.dc : this.ac)[th] = table;
      at += 17 + total;
    }
  }

  private readQuant(d: Uint8Array): void {
    let at = 0;
    while (at < d.length) {
      const pq = d[at]! >> 4;
      const tq = d[at]! & 15;
      const size = pq === 0 ? 64 : 128;
      if (pq > 1 || tq > 3 || at + 1 + size > d.length) throw new Corrupt('a quantisation table is malformed');
      this.quant[tq] = true;
      at += 1 + size;
    }
  }

  private readScan(d: Uint8Array): void {
    const f = this.frame;
    if (!f) throw new Corrupt('its image data comes before its frame header');
    const n = d[0] ?? 0;
    if (n < 1 || n > 4 || d.length < 4 + 2 * n) throw new Corrupt('a scan header is malformed');
    const comps: { c: Component; dc: Huffman; ac: Huffman }[] = [];
    for (let i = 0; i < n; i++) {
      const c = f.components.find((x) => x.id === d[1 + 2 * i]);
      if (!c) throw new Corrupt('a scan names a component the frame does not have');
      const dc = this.dc[d[2 + 2 * i]! >> 4];
      const ac = this.ac[d[2 + 2 * i]! & 15];
      // Motion-JPEG style files rely on default tables; the full decoder judges those.
      if (!dc || !ac) throw new Unsupported('no Huffman tables');
      if (!this.quant[c.tq]) throw new Corrupt('a quantisation table it uses is missing');
      comps.push({ c, dc, ac });
    }
    const ss = d[1 + 2 * n]!;
    const se = d[2 + 2 * n]!;
    const a = d[3 + 2 * n]!;
    if (ss !== 0 || se !== 63 || a !== 0) throw new Corrupt('a scan header is malformed for a sequential JPEG');
    let mcus: number;
    let blocksPerMcu: number[];
    if (n === 1) {
      const { c } = comps[0]!;
      const w = Math.ceil(Math.ceil((f.width * c.h) / f.hmax) / 8);
      const h = Math.ceil(Math.ceil((f.height * c.v) / f.vmax) / 8);
      mcus = w * h;
      blocksPerMcu = [1];
    } else {
      mcus = Math.ceil(f.width / (8 * f.hmax)) * Math.ceil(f.height / (8 * f.vmax));
      blocksPerMcu = comps.map(({ c }) => c.h * c.v);
      if (blocksPerMcu.reduce((s, x) => s + x, 0) > 10) throw new Corrupt('a scan has more blocks per unit than JPEG allows');
    }
    this.decodeScan(comps, mcus, blocksPerMcu);
    for (const { c } of comps) c.coded = true;
    this.scans++;
  }

  private decodeScan(comps: { dc: Huffman; ac: Huffman }[], mcus: number, blocksPerMcu: number[]): void {
    const ri = this.restartInterval;
    const blocks: Huffman[] = [];
    comps.forEach(({ dc, ac }, i) => {
      for (let k = 0; k < blocksPerMcu[i]!; k++) blocks.push(dc, ac);
    });
    let expectedRst = 0;
    for (let done = 0; done < mcus;) {
      if (done > 0) {
        if (this.pos + 1 >= this.b.length || this.b[this.pos + 1] !== 0xd0 + expectedRst) {
          throw new Corrupt('its image data is cut short or damaged (a restart marker is missing)');
        }
        expectedRst = (expectedRst + 1) & 7;
        this.pos += 2;
      }
      const count = ri > 0 ? Math.min(ri, mcus - done) : mcus;
      const segLen = this.readSegment();
      const problem = decodeSegment(this.seg, segLen, count, blocks);
      if (problem) throw new Corrupt(problem);
      done += count;
    }
    if (this.pos >= this.b.length) throw new Corrupt('it ends before its end-of-image marker (truncated)');
  }

  /** Unstuffs the entropy-coded bytes from `pos` up to the next marker into `seg`; `pos` is left on that marker. */
  private readSegment(): number {
    const b = this.b;
    const seg = this.seg;
    let i = this.pos;
    let n = 0;
    const end = b.length;
    while (i < end) {
      const x = b[i]!;
      if (x !== 0xff) {
        seg[n++] = x;
        i++;
        continue;
      }
      let j = i + 1;
      while (j < end && b[j] === 0xff) j++;
      if (j < end && b[j] === 0x00) {
        seg[n++] = 0xff;
        i = j + 1;
        continue;
      }
      i = j - 1;
      break;
    }
    this.pos = i;
    return n;
  }
}

const DAMAGED_CODE = 'its image data is damaged (a code no Huffman table has)';
const ENDS_EARLY = 'its image data ends early (truncated or damaged)';

/**
 * Decodes `mcus` units of one entropy-coded segment; `blocks` holds each block's DC and AC table
 * in unit order. Returns what is wrong, or undefined. One function with local state, because this
 * loop is the whole cost of the check: past the segment's end it feeds 1-bits and counts them, and
 * consuming any of those means the data was cut short.
 */
function decodeSegment(seg: Uint8Array, segLen: number, mcus: number, blocks: readonly Huffman[]): string | undefined {
  let acc = 0;
  let nbits = 0;
  let at = 0;
  let padded = 0;
  const perMcu = blocks.length;
  for (let m = 0; m < mcus; m++) {
    for (let b = 0; b < perMcu; b += 2) {
      let table = blocks[b]!;
      let k = 0;
      for (;;) {
        // One Huffman symbol: the lookahead table for short codes, the canonical limits for long ones.
        if (nbits < 16) {
          while (nbits <= 24) {
            let byte = 0xff;
            if (at < segLen) byte = seg[at++]!;
            else padded += 8;
            acc = (((acc & 0xffffff) << 8) | byte) >>> 0;
            nbits += 8;
          }
        }
        let sym: number;
        const entry = table.lookup[(acc >>> (nbits - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)]!;
        if (entry !== 0) {
          nbits -= entry >> 8;
          sym = entry & 0xff;
        } else {
          const code16 = (acc >>> (nbits - 16)) & 0xffff;
          let len = LOOKAHEAD + 1;
          for (; len <= 16; len++) if (code16 >>> (16 - len) <= table.maxcode[len]!) break;
          if (len > 16) return DAMAGED_CODE;
          nbits -= len;
          sym = table.values[table.valptr[len]! + (code16 >>> (16 - len)) - table.mincode[len]!]!;
        }
        let extra: number;
        if (k === 0) {
          if (sym > 11) return 'its image data is damaged (a DC value out of range)';
          extra = sym;
          table = blocks[b + 1]!;
          k = 1;
        } else {
          const r = sym >> 4;
          extra = sym & 15;
          if (extra === 0) {
            if (r !== 15) break;
            k += 16;
            if (k > 64) return 'its image data is damaged (a run of zeros past the end of a block)';
            if (k === 64) break;
            continue;
          }
          k += r;
          if (k > 63 || extra > 10) return 'its image data is damaged (a coefficient past the end of a block)';
          k++;
        }
        if (nbits < extra) {
          while (nbits <= 24) {
            let byte = 0xff;
            if (at < segLen) byte = seg[at++]!;
            else padded += 8;
            acc = (((acc & 0xffffff) << 8) | byte) >>> 0;
            nbits += 8;
          }
        }
        nbits -= extra;
        if (k >= 64) break;
      }
    }
    if (nbits < padded) return ENDS_EARLY;
  }
  return undefined;
}
