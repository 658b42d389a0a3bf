import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { commandFor } from '../../store/shortcuts';
import '../styles/lightbox.css';
import { useServices, useStudio, useStudioStore } from '../studio-context';
import { CompareSlider } from './compare/CompareSlider';
import { FramePicture } from './compare/FramePicture';
import { SideBySide } from './compare/SideBySide';
import { frameFileName } from './frame-file-name';
import { FrameFacts } from './FrameFacts';
import { lightboxAction, type LightboxAction } from './lightbox-keys';
import { compareStart, factsView, frameCaption, resolveFrame, type CompareView, type FramePointer, type ResolvedFrame } from './lightbox-model';
import { LightboxFoot, LightboxTop } from './LightboxBars';
import { useFrameImage } from './use-frame-image';
import { useLightboxRuns } from './use-node-runs';

/**
 * The frame viewer, open while `lightbox` is set in the store: one frame at a time, a node's
 * earlier runs (paid nodes), two frames compared with a slider or side by side, and each
 * frame's facts. Keys: ←/→ frames, Shift+←/→ runs, C compare, V slider / side by side, Esc closes.
 */
export function Lightbox() {
  const open = useStudio((s) => s.lightbox !== null);
  return open ? <LightboxView /> : null;
}

function LightboxView() {
  const store = useStudioStore();
  const { images: loader, download } = useServices();
  const box = useStudio((s) => s.lightbox);
  const data = useLightboxRuns();
  // The store keeps which node and frame; which of the node's runs is shown is this view's own.
  const [runChoice, setRunChoice] = useState<{ nodeId: string; key: string } | null>(null);
  const [pinned, setPinned] = useState<FramePointer | null>(null);
  const [view, setView] = useState<CompareView>('slider');
  const [split, setSplit] = useState(50);
  const dialog = useRef<HTMLDivElement>(null);
  const downOnBackdrop = useRef(false);

  const cursor: FramePointer | undefined = box
    ? { nodeId: box.nodeId, index: box.index, ...(runChoice?.nodeId === box.nodeId ? { runKey: runChoice.key } : {}) }
    : undefined;
  const shown = cursor && resolveFrame(data, cursor);
  const other = pinned ? resolveFrame(data, pinned) : undefined;
  const comparing = other !== undefined && shown !== undefined;
  const b = useFrameImage(shown?.image);
  const a = useFrameImage(comparing ? other.image : undefined);

  const close = () => store.getState().closeLightbox();
  const goTo = (p: FramePointer) => {
    const s = store.getState();
    if (s.lightbox?.nodeId === p.nodeId) s.setLightboxIndex(p.index);
    else s.openLightbox(p.nodeId, p.index);
    setRunChoice(p.runKey === undefined ? null : { nodeId: p.nodeId, key: p.runKey });
  };
  const pointerOf = (f: ResolvedFrame): FramePointer => ({ nodeId: f.nodeId, runKey: f.run.key, index: f.index });
  const stepFrame = (delta: number) => {
    if (!shown) return;
    const n = shown.run.images.length;
    goTo({ ...pointerOf(shown), index: (shown.index + delta + n) % n });
  };
  const stepRun = (delta: number) => {
    const run = shown?.runs[shown.runIndex + delta];
    if (shown && run) goTo({ ...pointerOf(shown), runKey: run.key });
  };
  const toggleCompare = () => {
    if (comparing) return setPinned(null);
    if (!shown) return;
    setPinned(pointerOf(shown));
    goTo(compareStart(shown));
  };
  const swap = () => {
    if (!comparing) return;
    setPinned(pointerOf(shown));
    goTo(pointerOf(other));
  };
  const save = async () => {
    if (!shown) return;
    const blob = await loader.original(shown.image);
    const { requestId } = shown.run.facts;
    const name = frameFileName({
      title: shown.title,
      frame: shown.index + 1,
      frames: shown.run.images.length,
      mime: blob.type,
      ...(requestId ? { requestId } : {}),
    });
    download(name, blob);
  };

  const act = (action: LightboxAction) => {
    if (action === 'close') close();
    else if (action === 'next-frame' || action === 'prev-frame') stepFrame(action === 'next-frame' ? 1 : -1);
    else if (action === 'next-run' || action === 'prev-run') stepRun(action === 'next-run' ? 1 : -1);
    else if (action === 'compare') toggleCompare();
    else if (comparing) setView((v) => (v === 'slider' ? 'side' : 'slider'));
  };
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const action = lightboxAction(e);
    // Graph commands (Delete, Ctrl+Z, Ctrl+Enter…) must not act on the canvas behind a modal:
    // the editor's shortcuts skip handled events. Other keys stay with the focused control.
    if (!action && commandFor(e) !== undefined) e.preventDefault();
    if (!action) return;
    // The lightbox is modal: its keys (Esc above all) never reach the canvas's shortcuts.
    e.preventDefault();
    e.stopPropagation();
    act(action);
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener('keydown', listener, true);
    return () => window.removeEventListener('keydown', listener, true);
  }, []);
  useEffect(() => {
    // Focus moves into the dialog (keys and Tab stay in it) and back where it was on close.
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    return () => before?.focus?.();
  }, []);

  const captions = comparing ? ([frameCaption('A', other), frameCaption('B', shown)] as const) : undefined;
  return (
    <div
      className="lightbox"
      data-testid="lightbox"
      role="dialog"
      aria-modal="true"
      aria-label="Frame viewer"
      ref={dialog}
      tabIndex={-1}
      onPointerDown={(e) => (downOnBackdrop.current = e.target === e.currentTarget)}
      onClick={(e) => downOnBackdrop.current && e.target === e.currentTarget && close()}
    >
      <div className="lightbox-panel">
        <LightboxTop
          data={data}
          shown={shown}
          comparing={comparing}
          view={view}
          onPickNode={(nodeId) => goTo({ nodeId, index: shown?.index ?? 0 })}
          onStepRun={stepRun}
          onCompare={toggleCompare}
          onView={setView}
          onSwap={swap}
          onDownload={() => void save()}
          onClose={close}
        />
        <div className="lightbox-main">
          <div className="lightbox-stage" data-testid="lightbox-stage">
            {!shown ? (
              <div className="frame-picture-note">This node has no frames to show any more.</div>
            ) : comparing && captions ? (
              view === 'slider' ? (
                <CompareSlider a={a} b={b} labels={captions} split={split} onSplit={setSplit} />
              ) : (
                <SideBySide a={a} b={b} labels={captions} />
              )
            ) : (
              <FramePicture image={b} alt={`Frame ${shown.index + 1}`} testId="lightbox-image" className="lightbox-single" />
            )}
          </div>
          {shown && (
            <aside className="lightbox-side" aria-label="Frame facts">
              {comparing && <FrameFacts view={factsView(data, other, a.size, 'A')} testId="lightbox-facts-a" />}
              <FrameFacts view={factsView(data, shown, b.size, comparing ? 'B' : undefined)} testId={comparing ? 'lightbox-facts-b' : 'lightbox-facts'} />
              {data.problem && (
                <div className="issue warning" role="status">
                  {data.problem}
                </div>
              )}
            </aside>
          )}
        </div>
        {shown && (
          <LightboxFoot shown={shown} pinned={comparing ? other : undefined} onPick={(index) => goTo({ ...pointerOf(shown), index })} onStep={stepFrame} />
        )}
      </div>
    </div>
  );
}
