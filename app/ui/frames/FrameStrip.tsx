import { memo } from 'react';
import { freeSpot } from '../canvas/free-spot';
import { useStudio, useStudioStore } from '../studio-context';
import { isResultStale, resultImages } from './result-images';
import { Thumbnail } from './Thumbnail';

/**
 * A node's output frames as a strip of thumbnails. Click one for the lightbox. A stale marker
 * shows when the node's inputs or params changed since these frames were made.
 */
export const FrameStrip = memo(function FrameStrip({ nodeId, canPick }: { nodeId: string; canPick: boolean }) {
  const store = useStudioStore();
  const images = useStudio((s) => resultImages(s, nodeId));
  const stale = useStudio((s) => isResultStale(s, nodeId));
  const cached = useStudio((s) => s.results[nodeId]?.cached === true);
  if (images.length === 0) return null;

  const pickFrames = () => {
    const s = store.getState();
    const self = s.workflow.nodes.find((n) => n.id === nodeId);
    const size = s.nodeSizes.get(nodeId);
    const start = self ? { x: self.position.x + (size?.width ?? 320) + 80, y: self.position.y } : { x: 0, y: 0 };
    const at = freeSpot(s.workflow.nodes, s.nodeSizes, start, { width: 280, height: 220 });
    const id = s.addNode('image.select', at, { linkFrom: { node: nodeId, port: 'images', side: 'source' } });
    s.setSelection([id]);
  };

  return (
    <div className={`frame-strip ${stale ? 'stale' : ''}`} data-testid={`frames-${nodeId}`}>
      <div className="frame-strip-head">
        <span>
          {images.length} frame{images.length === 1 ? '' : 's'}
          {cached && <span className="tag">cached</span>}
        </span>
        {stale && (
          <span
            className="stale-marker"
            data-testid={`stale-${nodeId}`}
            title="The inputs or settings changed since these frames were made. Run again to update them."
          >
            ● stale
          </span>
        )}
        {canPick && (
          <button type="button" className="nodrag link-button" data-testid={`pick-frames-${nodeId}`} onClick={pickFrames}>
            Pick frames →
          </button>
        )}
      </div>
      <div className="frame-strip-images nowheel">
        {images.map((image, i) => (
          <Thumbnail
            key={i}
            image={image}
            size={84}
            fill
            alt={`Frame ${i + 1}`}
            testId={`frame-${nodeId}-${i + 1}`}
            onClick={() => store.getState().openLightbox(nodeId, i)}
          />
        ))}
      </div>
    </div>
  );
});
