import { runLabel, type CompareView, type ResolvedFrame } from './lightbox-model';
import { Thumbnail } from './Thumbnail';
import type { LightboxRuns } from './use-node-runs';

interface TopProps {
  data: LightboxRuns;
  shown: ResolvedFrame | undefined;
  comparing: boolean;
  view: CompareView;
  onPickNode(nodeId: string): void;
  onStepRun(delta: number): void;
  onCompare(): void;
  onView(view: CompareView): void;
  onSwap(): void;
  onDownload(): void;
  onClose(): void;
}

/** The lightbox's top bar: which node and run is shown (B while comparing), compare controls, download, close. */
export function LightboxTop({ data, shown, comparing, view, ...on }: TopProps) {
  return (
    <div className="lightbox-top">
      <label className="lightbox-node">
        <span className="muted">{comparing ? 'B from' : 'Node'}</span>
        <select
          data-testid="lightbox-node"
          value={shown?.nodeId ?? ''}
          onChange={(e) => on.onPickNode(e.target.value)}
          aria-label="Node whose frames are shown"
        >
          {data.nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.title}
            </option>
          ))}
        </select>
      </label>
      {shown && (
        <div className="lightbox-runs" role="group" aria-label="Runs of this node">
          <button
            type="button"
            data-testid="lightbox-run-prev"
            onClick={() => on.onStepRun(-1)}
            disabled={shown.runIndex === 0}
            aria-label="Earlier run (Shift+←)"
            title="Earlier run (Shift+←)"
          >
            ‹
          </button>
          <span data-testid="lightbox-run" className="lightbox-run-label">
            {runLabel(shown)}
          </span>
          <button
            type="button"
            data-testid="lightbox-run-next"
            onClick={() => on.onStepRun(1)}
            disabled={shown.runIndex >= shown.runs.length - 1}
            aria-label="Later run (Shift+→)"
            title="Later run (Shift+→)"
          >
            ›
          </button>
          {shown.paid && shown.run.current && <span className="tag">shown on the node</span>}
        </div>
      )}
      <span className="spacer" />
      <button type="button" data-testid="lightbox-compare" aria-pressed={comparing} onClick={on.onCompare} title="Compare this frame with another (C)">
        {comparing ? 'Stop comparing' : 'Compare'}
      </button>
      {comparing && (
        <>
          <div className="lightbox-views" role="group" aria-label="Compare view (V)">
            <button type="button" data-testid="compare-view-slider" aria-pressed={view === 'slider'} onClick={() => on.onView('slider')}>
              Slider
            </button>
            <button type="button" data-testid="compare-view-side" aria-pressed={view === 'side'} onClick={() => on.onView('side')}>
              Side by side
            </button>
          </div>
          <button type="button" data-testid="compare-swap" onClick={on.onSwap} title="Swap A and B">
            Swap A/B
          </button>
        </>
      )}
      <button type="button" data-testid="lightbox-download" onClick={on.onDownload} disabled={!shown}>
        Download
      </button>
      <button type="button" data-testid="lightbox-close" onClick={on.onClose} aria-label="Close (Esc)" title="Close (Esc)">
        ✕
      </button>
    </div>
  );
}

interface FootProps {
  shown: ResolvedFrame;
  pinned: ResolvedFrame | undefined;
  onPick(index: number): void;
  onStep(delta: number): void;
}

/** Previous/next, the frame counter, and the run's frames as thumbnails (the pinned A is marked). */
export function LightboxFoot({ shown, pinned, onPick, onStep }: FootProps) {
  const count = shown.run.images.length;
  const pinnedHere = pinned && pinned.nodeId === shown.nodeId && pinned.run.key === shown.run.key ? pinned.index : -1;
  return (
    <div className="lightbox-foot">
      <button type="button" data-testid="lightbox-prev" onClick={() => onStep(-1)} disabled={count < 2} aria-label="Previous frame (←)">
        ‹ Prev
      </button>
      <span data-testid="lightbox-counter" className="lightbox-counter">
        {shown.index + 1} / {count}
      </span>
      <button type="button" data-testid="lightbox-next" onClick={() => onStep(1)} disabled={count < 2} aria-label="Next frame (→)">
        Next ›
      </button>
      <div className="lightbox-strip">
        {shown.run.images.map((image, i) => (
          <Thumbnail
            key={i}
            image={image}
            size={40}
            alt={`Frame ${i + 1}`}
            className={`${i === shown.index ? 'lightbox-strip-on' : ''} ${i === pinnedHere ? 'lightbox-strip-pinned' : ''}`}
            testId={`lightbox-thumb-${i + 1}`}
            onClick={() => onPick(i)}
          />
        ))}
      </div>
      <span className="spacer" />
      <span className="muted lightbox-keys">←/→ frames · Shift+←/→ runs · C compare · V view · Esc close</span>
    </div>
  );
}
