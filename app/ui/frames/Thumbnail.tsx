import { memo, useEffect, useState } from 'react';
import type { ImageRef } from '../../graph/ports';
import { useServices } from '../studio-context';
import { imageKey } from './image-key';

interface ThumbnailProps {
  image: ImageRef;
  /** Longest side to decode at, in CSS pixels (doubled for sharp screens). */
  size: number;
  alt: string;
  className?: string;
  testId?: string;
  onClick?: () => void;
  /** Fill the width of the parent (a grid cell) at the image's aspect ratio, instead of a size × size box. */
  fill?: boolean;
}

/**
 * An image decoded at thumbnail size by the image loader (a 4K frame is never decoded in full
 * just to be shown small). Shows a placeholder while loading and when the bytes are gone.
 */
export const Thumbnail = memo(function Thumbnail({ image, size, alt, className, testId, onClick, fill }: ThumbnailProps) {
  const { images } = useServices();
  const key = imageKey(image);
  const [state, setState] = useState<{ key: string; url?: string; failed?: string }>({ key });

  useEffect(() => {
    const controller = new AbortController();
    images.thumbnail(image, size * 2, controller.signal).then(
      (url) => !controller.signal.aborted && setState({ key, url }),
      (err: unknown) => !controller.signal.aborted && setState({ key, failed: err instanceof Error ? err.message : String(err) }),
    );
    return () => controller.abort();
    // `image` is identified by its key; a new object for the same image must not reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [images, key, size]);

  const current = state.key === key ? state : { key };
  // Keep the image's shape inside a size × size box when its pixel size is known.
  const w = image.kind === 'asset' ? image.width : undefined;
  const h = image.kind === 'asset' ? image.height : undefined;
  const box = fill
    ? { width: '100%', aspectRatio: w && h ? `${w} / ${h}` : '1' }
    : w && h
      ? w >= h
        ? { width: size, height: Math.max(16, Math.round((size * h) / w)) }
        : { width: Math.max(16, Math.round((size * w) / h)), height: size }
      : { width: size, height: size };
  const label = image.kind === 'asset' ? (image.name ?? alt) : image.url;
  return (
    <button
      type="button"
      className={`thumb nodrag ${className ?? ''} ${current.failed ? 'thumb-failed' : ''}`}
      style={box}
      data-testid={testId}
      title={current.failed ? `Cannot show this image: ${current.failed}` : label}
      onClick={onClick}
      disabled={!onClick}
    >
      {current.url ? <img src={current.url} alt={alt} draggable={false} /> : <span className="thumb-placeholder">{current.failed ? '!' : '…'}</span>}
    </button>
  );
});
