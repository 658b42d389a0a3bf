import { describe, expect, it } from 'vitest';
import { bytesHash } from '../../../app/lib/hash';
import {
  checkBodySize,
  checkImageBytes,
  checkImageEntry,
  checkImagePixels,
  checkSeedreamInput,
  decodeDataUri,
  imagePlace,
  toDataUri,
} from '../../../app/api/runcomfy/input-checks';
import { MAX_IMAGE_BYTES, MAX_REQUEST_BODY_BYTES, RESOLUTIONS, type SeedreamInput } from '../../../app/model/seedream';
import { gifHeader, jpegHeader, pngHeader, pngWithBrokenIdat, realJpeg, realPng, webpHeader } from '../test-images';

const place = imagePlace(0, 'photo.png');
const codes = (bytes: Uint8Array) => checkImageBytes(bytes, place).issues.map((i) => i.code);

describe('checkImageBytes', () => {
  it.each([
    ['PNG 15×15 (smallest side)', pngHeader(15, 15), []],
    ['PNG 14 px wide', pngHeader(14, 100), ['image-size']],
    ['PNG 14 px high', pngHeader(100, 14), ['image-size']],
    ['PNG 5999×5999', pngHeader(5999, 5999), []],
    ['PNG 6000 px wide', pngHeader(6000, 1000), ['image-size']],
    ['PNG 6000 px high', pngHeader(1000, 6000), ['image-size']],
    ['JPEG 5999×375 (aspect 15.997)', jpegHeader(5999, 375), []],
    ['JPEG 1600×100 (aspect exactly 16)', jpegHeader(1600, 100), ['image-aspect']],
    ['JPEG 1599×100 (aspect just under 16)', jpegHeader(1599, 100), []],
    ['JPEG 100×1600 (aspect exactly 1/16)', jpegHeader(100, 1600), ['image-aspect']],
    ['JPEG 100×1599 (aspect just over 1/16)', jpegHeader(100, 1599), []],
    ['PNG 240×15 (16:1 at the smallest side)', pngHeader(240, 15), ['image-aspect']],
    ['PNG 239×15', pngHeader(239, 15), []],
    ['PNG one byte under 10 MB', pngHeader(100, 100, MAX_IMAGE_BYTES - 1), []],
    ['PNG exactly 10 MB', pngHeader(100, 100, MAX_IMAGE_BYTES), ['image-too-large']],
    ['GIF', gifHeader(100, 100), ['image-format']],
    ['WebP', webpHeader(100, 100), ['image-format']],
    ['random bytes', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ['image-format']],
    ['a truncated PNG', pngHeader(100, 100).slice(0, 20), ['image-format']],
  ])('%s', (_, bytes, expected) => {
    expect(codes(bytes)).toEqual(expected);
  });

  it('reads the format from the bytes, not the name', () => {
    const { image } = checkImageBytes(jpegHeader(40, 30), imagePlace(0, 'looks-like.png'));
    expect(image).toMatchObject({ mime: 'image/jpeg', width: 40, height: 30 });
  });

  it('names the image and says what is right when a rule is broken', () => {
    const [issue] = checkImageBytes(pngHeader(6000, 1000), imagePlace(2, 'wide.png')).issues;
    expect(issue).toMatchObject({ field: 'images[2]' });
    expect(issue!.message).toMatch(/^Image 3 \(wide\.png\): is 6000×1000 px; .*more than 14 and less than 6000 px/);
  });
});

describe('data URIs', () => {
  it('round-trips bytes through a data URI', () => {
    const bytes = pngHeader(20, 20);
    const uri = toDataUri(bytes, 'image/png');
    expect(uri.startsWith('data:image/png;base64,')).toBe(true);
    expect(decodeDataUri(uri)).toEqual({ mime: 'image/png', bytes });
  });

  it('rejects a data URI whose declared type differs from its bytes', () => {
    const uri = toDataUri(jpegHeader(20, 20), 'image/png');
    expect(checkImageEntry(uri, place).map((i) => i.message)).toEqual([expect.stringMatching(/declared as image\/png but its bytes are image\/jpeg/)]);
  });

  it('rejects invalid base64', () => {
    expect(checkImageEntry('data:image/png;base64,%%%', place)[0]?.code).toBe('image-format');
  });
});

describe('checkImageEntry (URLs)', () => {
  it.each([
    ['https://example.com/a.png', []],
    ['http://example.com/a.png', ['image-url']],
    ['ftp://example.com/a.png', ['image-url']],
    ['https://user:pw@example.com/a.png', ['image-url']],
    ['not a url', ['image-url']],
  ])('%s → %j', (url, expected) => {
    expect(checkImageEntry(url, place).map((i) => i.code)).toEqual(expected);
  });
});

const good = (over: Partial<Record<keyof SeedreamInput, unknown>> = {}) => ({
  images: ['https://example.com/a.png'],
  prompt: 'Generate 3 images of a cat',
  sequential_image_generation_options: 3,
  resolution: '2048x2048 (1:1)',
  seed: 1,
  ...over,
});
const fields = (input: unknown) => checkSeedreamInput(input).issues.map((i) => i.field);
const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${i}.png`);

describe('checkSeedreamInput', () => {
  it.each([
    ['0 images', good({ images: [] }), ['images']],
    ['1 image', good({ images: urls(1) }), []],
    ['14 images', good({ images: urls(14) }), []],
    ['15 images', good({ images: urls(15) }), ['images']],
    ['empty prompt', good({ prompt: '' }), ['prompt']],
    ['blank prompt', good({ prompt: '   ' }), ['prompt']],
    ['1-character prompt', good({ prompt: 'x' }), []],
    ['599-character prompt', good({ prompt: 'x'.repeat(599) }), []],
    ['600-character prompt', good({ prompt: 'x'.repeat(600) }), ['prompt']],
    ['max 0', good({ sequential_image_generation_options: 0 }), ['sequential_image_generation_options']],
    ['max 1', good({ sequential_image_generation_options: 1 }), []],
    ['max 15', good({ sequential_image_generation_options: 15 }), []],
    ['max 16', good({ sequential_image_generation_options: 16 }), ['sequential_image_generation_options']],
    ['max 2.5', good({ sequential_image_generation_options: 2.5 }), ['sequential_image_generation_options']],
    ['resolution "2k"', good({ resolution: '2k' }), ['resolution']],
    ['resolution "2048x2048"', good({ resolution: '2048x2048' }), ['resolution']],
    ['no resolution', good({ resolution: undefined }), []],
    ['seed 1.5', good({ seed: 1.5 }), ['seed']],
    ['seed "7"', good({ seed: '7' }), ['seed']],
    ['no seed', good({ seed: undefined }), []],
    ['an http image', good({ images: ['http://example.com/a.png'] }), ['images[0]']],
  ])('%s', (_, input, expected) => {
    expect(fields(input)).toEqual(expected);
  });

  it.each(RESOLUTIONS)('accepts the resolution label %s verbatim', (resolution) => {
    expect(checkSeedreamInput(good({ resolution })).input?.resolution).toBe(resolution);
  });

  it('says which field is wrong, what it got and what is right', () => {
    const [issue] = checkSeedreamInput(good({ sequential_image_generation_options: 16 })).issues;
    expect(issue!.message).toMatch(/^sequential_image_generation_options: .*\(got 16\); expected an integer from 1 to 15/);
  });

  it('checks the content of data URI images and names them by label', () => {
    const input = good({ images: [toDataUri(pngHeader(20, 20), 'image/png'), toDataUri(pngHeader(20, 1000), 'image/png')] });
    const { issues } = checkSeedreamInput(input, ['a.png', 'tall.png']);
    expect(issues.map((i) => [i.field, i.code])).toEqual([['images[1]', 'image-aspect']]);
    expect(issues[0]!.message).toMatch(/^Image 2 \(tall\.png\)/);
  });
});

describe('checkBodySize', () => {
  it('allows exactly 64 MiB and refuses one byte more', () => {
    expect(checkBodySize(MAX_REQUEST_BODY_BYTES)).toEqual([]);
    expect(checkBodySize(MAX_REQUEST_BODY_BYTES + 1).map((i) => i.code)).toEqual(['body-too-large']);
  });
});

describe('checkImagePixels', () => {
  it('passes images that decode whole', async () => {
    expect(await checkImagePixels(realPng(20, 20), imagePlace(0, 'a.png'))).toEqual([]);
    expect(await checkImagePixels(realJpeg(20, 20), imagePlace(0, 'a.jpg'))).toEqual([]);
  });

  it('decodes the same bytes once when given their hash, and names each place in its own words', async () => {
    const broken = pngWithBrokenIdat(20, 20);
    const hash = bytesHash(broken);
    const first = await checkImagePixels(broken, imagePlace(0, 'x.png'), hash);
    const again = await checkImagePixels(broken, imagePlace(4, 'y.png'), hash);
    expect(first[0]).toMatchObject({ code: 'image-damaged', field: 'images[0]' });
    expect(again[0]).toMatchObject({ code: 'image-damaged', field: 'images[4]', message: expect.stringMatching(/^Image 5 \(y\.png\)/) });
    // The answer is kept by hash: good bytes under a hash that already failed are not decoded again (the caller hashes what it sends).
    expect(await checkImagePixels(realPng(20, 20), imagePlace(0, 'z.png'), hash)).toHaveLength(1);
    expect(await checkImagePixels(realPng(20, 20), imagePlace(0, 'z.png'))).toEqual([]);
  });

  it('names the file whose header is fine but whose pixels are not', async () => {
    expect(await checkImagePixels(pngWithBrokenIdat(20, 20), imagePlace(2, 'b.png'))).toEqual([
      expect.objectContaining({ code: 'image-damaged', field: 'images[2]', message: expect.stringMatching(/^Image 3 \(b\.png\): cannot be decoded: /) }),
    ]);
  });
});
