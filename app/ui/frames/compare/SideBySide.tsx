import type { FrameImage } from '../use-frame-image';
import { FramePicture } from './FramePicture';

/** A and B next to each other, each fitted in its half, labelled above. */
export function SideBySide({ a, b, labels }: { a: FrameImage; b: FrameImage; labels: readonly [string, string] }) {
  return (
    <div className="compare-side" data-testid="compare-side">
      {[a, b].map((image, i) => (
        <figure key={i} className="compare-side-cell">
          <figcaption className="compare-side-label">{labels[i]}</figcaption>
          <FramePicture image={image} alt={labels[i]!} testId={`compare-side-${i === 0 ? 'a' : 'b'}`} />
        </figure>
      ))}
    </div>
  );
}
