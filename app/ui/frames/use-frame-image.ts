import { useEffect, useState } from 'react';
import type { ImageRef } from '../../graph/ports';
import { readImageInfo } from '../../lib/image-info';
import { useServices } from '../studio-context';
import { imageKey } from './image-key';

/**
 * Side the stand-in is decoded at while the full image loads: the frame strip's thumbnail size
 * (84 px at 2×), so the loader usually has it cached and the stand-in shows at once.
 */
const STAND_IN_SIDE = 168;

export interface FrameImage {
  /** What to draw now: the full image once loaded, the small stand-in before. */
  url?: string;
  /** True once `url` is the full-size image. */
  full: boolean;
  /** Why the full image cannot be shown. */
  error?: string;
  /** Pixel size of the original, from the reference or the image header. */
  size?: { width: number; height: number };
}

const sizeOfRef = (ref: ImageRef) => (ref.kind === 'asset' && ref.width && ref.height ? { width: ref.width, height: ref.height } : undefined);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * A frame at full size: the original bytes as an object URL, owned by this hook and revoked as
 * soon as the frame changes or the view closes, so at most one full image per shown frame is
 * held (the loader's thumbnail cache is never filled with screen-size copies).
 */
export function useFrameImage(ref: ImageRef | undefined): FrameImage {
  const { images } = useServices();
  const key = ref ? imageKey(ref) : '';
  const [standIn, setStandIn] = useState<{ key: string; url: string } | null>(null);
  const [full, setFull] = useState<{ key: string; url?: string; error?: string; size?: FrameImage['size'] } | null>(null);

  useEffect(() => {
    if (!ref) return;
    const controller = new AbortController();
    images.thumbnail(ref, STAND_IN_SIDE, controller.signal).then(
      (url) => !controller.signal.aborted && setStandIn({ key, url }),
      // The full image (or its error) is what counts; a missing stand-in only means a blank moment.
      () => undefined,
    );
    return () => controller.abort();
    // `ref` is identified by its key; a new object for the same image must not reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [images, key]);

  useEffect(() => {
    if (!ref) return;
    const controller = new AbortController();
    let url: string | undefined;
    images.original(ref, controller.signal).then(
      async (blob) => {
        if (controller.signal.aborted) return;
        const size = sizeOfRef(ref) ?? readImageInfo(new Uint8Array(await blob.slice(0, 256 * 1024).arrayBuffer()));
        if (controller.signal.aborted) return;
        url = URL.createObjectURL(blob);
        setFull({ key, url, ...(size ? { size: { width: size.width, height: size.height } } : {}) });
      },
      (err: unknown) => !controller.signal.aborted && setFull({ key, error: message(err) }),
    );
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
    // `ref` is identified by its key; a new object for the same image must not reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [images, key]);

  if (!ref) return { full: false };
  const loaded = full?.key === key ? full : undefined;
  const size = loaded?.size ?? sizeOfRef(ref);
  if (loaded?.url) return { url: loaded.url, full: true, ...(size ? { size } : {}) };
  const stand = standIn?.key === key ? standIn.url : undefined;
  return { ...(stand ? { url: stand } : {}), full: false, ...(loaded?.error ? { error: loaded.error } : {}), ...(size ? { size } : {}) };
}
