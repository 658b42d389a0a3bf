import type { FrameImage } from '../use-frame-image';

interface FramePictureProps {
  image: FrameImage;
  alt: string;
  testId?: string;
  className?: string;
}

/**
 * One frame as loaded by `useFrameImage`: the full image, the blurred stand-in while it loads,
 * or why it cannot be shown (the frame's bytes are gone, the file is unreadable).
 */
export function FramePicture({ image, alt, testId, className }: FramePictureProps) {
  return (
    <div className={`frame-picture ${className ?? ''}`}>
      {image.url && (
        <img
          src={image.url}
          alt={alt}
          draggable={false}
          className={image.full ? 'full' : 'stand-in'}
          data-testid={testId}
          data-full={image.full ? 'true' : 'false'}
        />
      )}
      {!image.full && (
        <div className="frame-picture-note" role={image.error ? 'alert' : undefined}>
          {image.error ? `Cannot show this frame: ${image.error}` : 'Loading…'}
        </div>
      )}
    </div>
  );
}
