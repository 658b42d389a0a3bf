import { useEffect, useState } from 'react';
import type { ImageRef } from '../../graph/ports';
import { useServices, useStudio, useStudioStore } from '../studio-context';
import { imageKey } from './Thumbnail';
import { resultImages } from './result-images';

/** Decoded size of a lightbox image: large enough for a screen, never a full 4K decode. */
const LIGHTBOX_SIDE = 1600;
const NONE: readonly ImageRef[] = [];

/** A node's frames one at a time, with previous/next (buttons and arrow keys); Esc closes. */
export function Lightbox() {
  const store = useStudioStore();
  const { images: loader, download } = useServices();
  const box = useStudio((s) => s.lightbox);
  const images = useStudio((s) => (s.lightbox ? resultImages(s, s.lightbox.nodeId) : NONE));
  const title = useStudio((s) => s.workflow.nodes.find((n) => n.id === s.lightbox?.nodeId)?.title);
  const index = box ? Math.min(box.index, images.length - 1) : 0;
  const image = images[index];
  const [shown, setShown] = useState<{ key: string; url?: string; error?: string } | null>(null);
  const key = image ? imageKey(image) : '';

  useEffect(() => {
    if (!image) return;
    const controller = new AbortController();
    setShown({ key });
    loader.thumbnail(image, LIGHTBOX_SIDE, controller.signal).then(
      (url) => !controller.signal.aborted && setShown({ key, url }),
      (err: unknown) => !controller.signal.aborted && setShown({ key, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => controller.abort();
    // `image` is identified by its key; a new object for the same image must not reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loader, key]);

  useEffect(() => {
    if (!box) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'ArrowRight') store.getState().setLightboxIndex((index + 1) % images.length);
      else if (e.key === 'ArrowLeft') store.getState().setLightboxIndex((index - 1 + images.length) % images.length);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [box, index, images.length, store]);

  if (!box || !image) return null;
  const go = (delta: number) => store.getState().setLightboxIndex((index + delta + images.length) % images.length);
  const save = async () => {
    const blob = await loader.original(image);
    const ext = blob.type === 'image/jpeg' ? 'jpg' : blob.type === 'image/webp' ? 'webp' : 'png';
    download(`${title ?? box.nodeId}-${index + 1}.${ext}`, blob);
  };

  return (
    <div className="lightbox" data-testid="lightbox" role="dialog" aria-label="Frame viewer" onClick={() => store.getState().closeLightbox()}>
      <div className="lightbox-body" onClick={(e) => e.stopPropagation()}>
        <div className="lightbox-image">
          {shown?.key === key && shown.url ? (
            <img src={shown.url} alt={`Frame ${index + 1}`} data-testid="lightbox-image" />
          ) : (
            <div className="lightbox-loading">{shown?.error ? `Cannot show this frame: ${shown.error}` : 'Loading…'}</div>
          )}
        </div>
        <div className="lightbox-bar">
          <button type="button" data-testid="lightbox-prev" onClick={() => go(-1)} disabled={images.length < 2} aria-label="Previous frame">
            ‹ Prev
          </button>
          <span data-testid="lightbox-counter">
            {index + 1} / {images.length}
          </span>
          <button type="button" data-testid="lightbox-next" onClick={() => go(1)} disabled={images.length < 2} aria-label="Next frame">
            Next ›
          </button>
          <span className="spacer" />
          <button type="button" data-testid="lightbox-download" onClick={() => void save()}>
            Download
          </button>
          <button type="button" data-testid="lightbox-close" onClick={() => store.getState().closeLightbox()} aria-label="Close">
            ✕
          </button>
        </div>
      </div>
    </div>
  );
}
