import { memo } from 'react';
import type { ImageRef } from '../../../graph/ports';
import type { StudioState } from '../../../store/store-types';
import { framesPicked, toggleFrame } from '../../frames/frame-selection';
import { Thumbnail } from '../../frames/Thumbnail';
import { useStudio } from '../../studio-context';
import { firstLinkInto } from '../node-index';
import { widgetTestId, type WidgetProps } from './widget-props';

const NONE: readonly ImageRef[] = [];

/** The images the last run delivered to `nodeId`'s `images` input (first link), for picking. */
export function upstreamImages(s: StudioState, nodeId: string): readonly ImageRef[] {
  const edge = firstLinkInto(s.workflow.edges, nodeId, 'images');
  if (!edge) return NONE;
  const value = s.results[edge.source.node]?.outputs[edge.source.port];
  if (Array.isArray(value)) return value as ImageRef[];
  if (value && typeof value === 'object') return [value as ImageRef];
  return NONE;
}

/**
 * The frame picker of Select Frames: the selection as text (`1,3-5`) plus, once the upstream
 * node has produced images, their thumbnails to click on and off.
 */
export const FramesWidget = memo(function FramesWidget({ nodeId, spec, value, onChange, onCommit }: WidgetProps<'frames'>) {
  const text = typeof value === 'string' ? value : '';
  const frames = useStudio((s) => upstreamImages(s, nodeId));
  const picked = frames.length ? framesPicked(text, frames.length) : undefined;
  return (
    <div className="widget widget-frames">
      <input
        type="text"
        className="nodrag widget-input"
        data-testid={widgetTestId(nodeId, spec.name)}
        aria-label={spec.label}
        placeholder={spec.placeholder}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onCommit}
      />
      {frames.length > 0 && (
        <div className="frame-picker" data-testid={`frame-picker-${nodeId}`}>
          {frames.map((image, i) => (
            <div key={i} className={`pick ${picked?.has(i + 1) ? 'picked' : ''}`}>
              <Thumbnail
                image={image}
                size={56}
                alt={`Frame ${i + 1}`}
                testId={`frame-pick-${nodeId}-${i + 1}`}
                onClick={() => {
                  onCommit();
                  onChange(toggleFrame(text, frames.length, i + 1));
                  onCommit();
                }}
              />
              <span className="pick-number">{i + 1}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
