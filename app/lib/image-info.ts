import { JPG } from 'image-size/types/jpg';
import { PNG } from 'image-size/types/png';
import { WEBP } from 'image-size/types/webp';

/** Only the three parsers this app reads (the whole of image-size knows 20 formats). */
const PARSERS = { 'image/png': PNG, 'image/jpeg': JPG, 'image/webp': WEBP } as const;

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

/** The image format by its magic bytes (never by file name), or undefined when not PNG/JPEG/WebP. */
export function sniffImageMime(bytes: Uint8Array): ImageMime | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a)
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50)
    return 'image/webp';
  return undefined;
}

/**
 * Format and pixel size read from the image header (image-size parses headers only, so this is
 * cheap even for 4K images). Undefined when the bytes are not a readable PNG, JPEG or WebP.
 */
export function readImageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const mime = sniffImageMime(bytes);
  if (!mime) return undefined;
  try {
    const parser = PARSERS[mime];
    if (!parser.validate(bytes)) return undefined;
    const size = parser.calculate(bytes);
    // JPEG EXIF orientations 5–8 swap the displayed width and height.
    const rotated = size.orientation !== undefined && size.orientation >= 5;
    const width = rotated ? size.height : size.width;
    const height = rotated ? size.width : size.height;
    if (!width || !height) return undefined;
    return { mime, width, height };
  } catch {
    return undefined;
  }
}
