import { layoutText } from './font';
import type { RgbaImage } from './reference-image';

export type Rgb = readonly [number, number, number];

/** A minimal RGB raster for simulated frames: rectangles, blended panels, bitmap text, images. */
export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
  }

  /** Fills every pixel with `color(x, y)`. */
  paint(color: (x: number, y: number) => Rgb): void {
    const { width, height, data } = this;
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i += 3) {
        const c = color(x, y);
        data[i] = c[0];
        data[i + 1] = c[1];
        data[i + 2] = c[2];
      }
    }
  }

  /** Mixes `rgb` into a rectangle with opacity `alpha` (1 = opaque); clipped to the canvas. */
  fillRect(x: number, y: number, w: number, h: number, rgb: Rgb, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    const a = Math.round(alpha * 256);
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0, i = (yy * this.width + x0) * 3; xx < x1; xx++, i += 3) {
        for (let c = 0; c < 3; c++) this.data[i + c] = (this.data[i + c]! * (256 - a) + rgb[c]! * a) >> 8;
      }
    }
  }

  /** Draws `text` (already in the font's repertoire) with its top-left corner at (x, y). */
  text(text: string, x: number, y: number, scale: number, rgb: Rgb): void {
    layoutText(text, Math.round(x), Math.round(y), scale, (px, py, s) => this.fillRect(px, py, s, s, rgb));
  }

  /** Draws `img` scaled to fit inside the box (aspect kept, centred), blending its alpha. */
  image(img: RgbaImage, x: number, y: number, w: number, h: number): void {
    const k = Math.min(w / img.width, h / img.height);
    const dw = Math.max(1, Math.round(img.width * k));
    const dh = Math.max(1, Math.round(img.height * k));
    const ox = Math.round(x + (w - dw) / 2);
    const oy = Math.round(y + (h - dh) / 2);
    for (let yy = 0; yy < dh; yy++) {
      const ty = oy + yy;
      if (ty < 0 || ty >= this.height) continue;
      const sy = Math.min(img.height - 1, Math.floor((yy * img.height) / dh));
      for (let xx = 0; xx < dw; xx++) {
        const tx = ox + xx;
        if (tx < 0 || tx >= this.width) continue;
        const sx = Math.min(img.width - 1, Math.floor((xx * img.width) / dw));
        const s = (sy * img.width + sx) * 4;
        const t = (ty * this.width + tx) * 3;
        const a = img.data[s + 3]!;
        for (let c = 0; c < 3; c++) this.data[t + c] = (this.data[t + c]! * (255 - a) + img.data[s + c]! * a) / 255;
      }
    }
  }
}

/** Box-filtered copy of `img` whose longer side is at most `maxSide` (thumbnails stay crisp). */
export function shrinkImage(img: RgbaImage, maxSide: number): RgbaImage {
  const k = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (k === 1) return img;
  const width = Math.max(1, Math.round(img.width * k));
  const height = Math.max(1, Math.round(img.height * k));
  const sum = new Float64Array(width * height * 4);
  const hits = new Uint32Array(width * height);
  for (let y = 0; y < img.height; y++) {
    const ty = Math.min(height - 1, Math.floor(y * k));
    for (let x = 0; x < img.width; x++) {
      const t = ty * width + Math.min(width - 1, Math.floor(x * k));
      const s = (y * img.width + x) * 4;
      hits[t]! += 1;
      for (let c = 0; c < 4; c++) sum[t * 4 + c]! += img.data[s + c]!;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(sum[i]! / Math.max(1, hits[i >> 2]!));
  return { width, height, data };
}

/** HSL (h in degrees, s and l in 0–1) to 8-bit RGB. */
export function hsl(h: number, s: number, l: number): Rgb {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const v = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255);
  };
  return [f(0), f(8), f(4)];
}
