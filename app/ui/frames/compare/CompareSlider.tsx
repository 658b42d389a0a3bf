import { useRef, type CSSProperties, type KeyboardEvent, type PointerEvent } from 'react';
import type { FrameImage } from '../use-frame-image';
import { FramePicture } from './FramePicture';

/** How far one arrow press moves the divider, and one Page Up/Down, in percent. */
const STEP = 2;
const PAGE = 10;

const clampSplit = (v: number) => Math.min(100, Math.max(0, Math.round(v * 10) / 10));

/** The divider's new position for a key, or undefined when the key is not the slider's. */
export function splitForKey(key: string, split: number): number | undefined {
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clampSplit(split - STEP);
    case 'ArrowRight':
    case 'ArrowUp':
      return clampSplit(split + STEP);
    case 'PageDown':
      return clampSplit(split - PAGE);
    case 'PageUp':
      return clampSplit(split + PAGE);
    case 'Home':
      return 0;
    case 'End':
      return 100;
    default:
      return undefined;
  }
}

interface CompareSliderProps {
  a: FrameImage;
  b: FrameImage;
  labels: readonly [string, string];
  /** Where the divider is, in percent of the width: A shows left of it, B right of it. */
  split: number;
  onSplit(split: number): void;
}

/**
 * A over B in one box, split by a divider: drag anywhere on the images (or use the arrow keys,
 * Page Up/Down, Home/End on the focused divider) to move it. The box takes A's shape; a frame of
 * another shape is fitted inside it.
 */
export function CompareSlider({ a, b, labels, split, onSplit }: CompareSliderProps) {
  const stage = useRef<HTMLDivElement>(null);
  const size = a.size ?? b.size;
  const style = { '--frame-ratio': size ? size.width / size.height : 1 } as CSSProperties;

  const follow = (e: PointerEvent<HTMLDivElement>) => {
    const box = stage.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    onSplit(clampSplit(((e.clientX - box.left) / box.width) * 100));
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    follow(e);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (e.currentTarget.hasPointerCapture(e.pointerId)) follow(e);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) return;
    const next = splitForKey(e.key, split);
    if (next === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    onSplit(next);
  };

  return (
    <div ref={stage} className="compare-slider" style={style} data-testid="compare-slider" onPointerDown={onPointerDown} onPointerMove={onPointerMove}>
      <FramePicture image={a} alt={labels[0]} testId="compare-image-a" className="compare-layer" />
      <div className="compare-layer compare-b" style={{ clipPath: `inset(0 0 0 ${split}%)` }}>
        <FramePicture image={b} alt={labels[1]} testId="compare-image-b" />
      </div>
      <span className="compare-tag compare-tag-a">{labels[0]}</span>
      <span className="compare-tag compare-tag-b">{labels[1]}</span>
      <div
        className="compare-divider"
        style={{ left: `${split}%` }}
        role="slider"
        tabIndex={0}
        aria-label="Divider between A and B"
        aria-orientation="horizontal"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={split}
        aria-valuetext={`${Math.round(split)}% A, ${Math.round(100 - split)}% B`}
        data-testid="compare-divider"
        onKeyDown={onKeyDown}
      >
        <span className="compare-grip" aria-hidden="true" />
      </div>
    </div>
  );
}
