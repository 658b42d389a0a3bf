import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES } from '../../app/model/seedream';
import { INVALID_INPUT_ERROR_CODE } from '../../app/server/simulator';
import { checkImage, checkSubmitBody } from '../../app/server/simulator/validate-input';
import { client, dataUri, headerOnlyPng, input, jpegDataUri, pngDataUri, startTestSimulator } from './simulator-fixtures';

const MIN_SIDE = 'The uploaded image width and height must exceed 14 pixels.';
const MAX_SIDE = 'The uploaded image width and height must not exceed 6000 pixels.';
const ASPECT = 'The aspect ratio range should be 1:16 to 16:1.';
const SIZE = 'File size must be less than 10 MB.';
const FORMAT = 'Upload 1~14 images, must be jpeg or png.';

describe('simulator image checks', () => {
  it.each([
    ['15×15 PNG', pngDataUri(15, 15), []],
    ['14×14 PNG', pngDataUri(14, 14), [MIN_SIDE]],
    ['15×14 PNG', pngDataUri(15, 14), [MIN_SIDE]],
    ['14×15 PNG', pngDataUri(14, 15), [MIN_SIDE]],
    ['5999×5999 header', dataUri(headerOnlyPng(5999, 5999)), []],
    ['6000×400 header', dataUri(headerOnlyPng(6000, 400)), [MAX_SIDE]],
    ['400×6000 header', dataUri(headerOnlyPng(400, 6000)), [MAX_SIDE]],
    ['aspect 1:16 (16×256)', pngDataUri(16, 256), [ASPECT]],
    ['aspect 17:256 (just inside)', pngDataUri(17, 256), []],
    ['aspect 16:1 (256×16)', pngDataUri(256, 16), [ASPECT]],
    ['aspect 255:16 (just inside)', pngDataUri(255, 16), []],
    ['JPEG 20×20', jpegDataUri(20, 20), []],
    ['JPEG 14×20', jpegDataUri(14, 20), [MIN_SIDE]],
    ['GIF bytes', dataUri(Buffer.from('GIF89a\x10\x00\x10\x00', 'latin1'), 'image/gif'), [FORMAT]],
    ['WebP bytes', dataUri(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'), 'image/webp'), [FORMAT]],
    ['PNG labelled as JPEG', pngDataUri(20, 20).replace('image/png', 'image/jpeg'), []],
    ['size just under 10 MB', dataUri(headerOnlyPng(100, 100, MAX_IMAGE_BYTES - 1)), []],
    ['size of 10 MB', dataUri(headerOnlyPng(100, 100, MAX_IMAGE_BYTES)), [SIZE]],
    ['https URL (not fetched)', 'https://example.com/a.png', []],
    ['http URL', 'http://example.com/a.png', []],
    ['ftp URL', 'ftp://example.com/a.png', ['An image must be a public http(s) URL or a data: URI.']],
    ['not base64', 'data:image/png,rawbytes', ['Unreadable data URI: the data URI is not base64-encoded.']],
    ['bad base64', 'data:image/png;base64,@@@@', ['Unreadable data URI: the data URI holds invalid base64.']],
  ])('judges %s', (_label, uri, problems) => {
    expect(checkImage(uri)).toEqual(problems);
  });

  it('reports every rule an image breaks', () => {
    expect(checkImage(dataUri(headerOnlyPng(6000, 10)))).toEqual([MIN_SIDE, MAX_SIDE, ASPECT]);
  });
});

describe('simulator submit validation', () => {
  const body = (v: unknown) => Buffer.from(JSON.stringify(v));

  it.each([
    ['missing prompt', { images: ['https://x/a.png'], sequential_image_generation_options: 1 }, ['body', 'prompt']],
    ['empty prompt', input({ prompt: '   ' }), ['body', 'prompt']],
    ['prompt of 600 characters', input({ prompt: 'a'.repeat(600) }), ['body', 'prompt']],
    ['no images', input({ images: [] }), ['body', 'images']],
    ['15 images', input({ images: Array(15).fill('https://x/a.png') }), ['body', 'images']],
    ['max images 0', input({ sequential_image_generation_options: 0 }), ['body', 'sequential_image_generation_options']],
    ['max images 16', input({ sequential_image_generation_options: 16 }), ['body', 'sequential_image_generation_options']],
    ['unknown resolution', { ...input(), resolution: '1024x1024' }, ['body', 'resolution']],
    ['fractional seed', input({ seed: 1.5 }), ['body', 'seed']],
    ['non-string image', { ...input(), images: [42] }, ['body', 'images', 0]],
    ['second image too small', input({ images: [pngDataUri(20, 20), pngDataUri(10, 10)] }), ['body', 'images', 1]],
  ])('rejects %s with a detail at its location', (_label, value, loc) => {
    const res = checkSubmitBody(body(value));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.status).toBe(422);
    expect(res.body.detail?.[0]?.loc).toEqual(loc);
  });

  it('accepts a 599-character prompt and 14 references', () => {
    const res = checkSubmitBody(body(input({ prompt: 'a'.repeat(599), images: Array(14).fill('https://x/a.png') })));
    expect(res.ok).toBe(true);
  });

  it('answers 422 with error_code, error_message and detail over HTTP', async () => {
    const { sim } = await startTestSimulator();
    const res = await client(sim).submit(input({ images: [pngDataUri(15, 15), pngDataUri(14, 14), pngDataUri(16, 256)] }));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error_code: INVALID_INPUT_ERROR_CODE,
      error_message: `images.1: ${MIN_SIDE}`,
      detail: [
        { loc: ['body', 'images', 1], msg: MIN_SIDE, type: 'value_error' },
        { loc: ['body', 'images', 2], msg: ASPECT, type: 'value_error' },
      ],
    });
    expect(sim.counts.submits).toBe(1);
    expect(sim.counts.jobsCreated).toBe(0);
  });

  it('rejects a 10 MB reference over HTTP and accepts one a byte smaller', async () => {
    const { sim } = await startTestSimulator();
    const c = client(sim);
    const big = await c.submit(input({ images: [dataUri(headerOnlyPng(100, 100, MAX_IMAGE_BYTES))] }));
    expect(big.status).toBe(422);
    expect(big.body.detail[0].msg).toBe(SIZE);
    const ok = await c.submit(input({ images: [dataUri(headerOnlyPng(100, 100, MAX_IMAGE_BYTES - 1))] }));
    expect(ok.status).toBe(200);
  });
});
