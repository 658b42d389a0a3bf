import type { ReactNode } from 'react';
import { formatUsd } from '../../engine/estimate-cost';
import type { RunFacts } from './frame-runs';

/** Everything the facts panel says about one frame. */
export interface FrameFactsView {
  /** "A" / "B" while comparing. */
  label?: string;
  nodeTitle: string;
  /** 1-based frame number and how many frames its run has. */
  frame: number;
  frames: number;
  /** "run 2 of 3", or undefined for a node that only has its current result. */
  run?: string;
  size?: { width: number; height: number };
  facts: RunFacts;
  /** How many frames the request returned (the cost is the request's). */
  requestFrames?: number;
  /** For frames of unpaid nodes: the paid node and frame they came from. */
  madeBy?: string;
}

const when = (ms: number) => new Date(ms).toLocaleString();

function Fact({ name, testId, children }: { name: string; testId: string; children: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function costText(f: RunFacts, frames: number | undefined): string {
  const per = frames ? ` for the request (${frames} frame${frames === 1 ? '' : 's'})` : ' for the request';
  const cost = f.costUsd !== undefined ? `${formatUsd(f.costUsd)}${per}` : 'not reported';
  return f.reused ? `${cost}; reused here, nothing new paid` : cost;
}

/**
 * A frame's facts: pixel size, the resolution asked for, seed, prompt, request and job ids, and
 * the request's cost when known. Ids are plain selectable text, to copy into a support ticket.
 */
export function FrameFacts({ view, testId }: { view: FrameFactsView; testId: string }) {
  const f = view.facts;
  const paid = f.requestId !== undefined;
  return (
    <section className="frame-facts" data-testid={testId} aria-label={`Facts of ${view.label ? `frame ${view.label}` : 'this frame'}`}>
      <h3 className="frame-facts-title">
        {view.label && <span className="frame-facts-label">{view.label}</span>}
        {view.nodeTitle}
      </h3>
      <dl>
        <Fact name="Frame" testId="fact-frame">
          {view.frame} of {view.frames}
          {view.run && ` · ${view.run}`}
        </Fact>
        <Fact name="Size" testId="fact-size">
          {view.size ? `${view.size.width} × ${view.size.height} px` : '…'}
        </Fact>
        {view.madeBy && (
          <Fact name="Made by" testId="fact-made-by">
            {view.madeBy}
          </Fact>
        )}
        {f.resolution !== undefined && (
          <Fact name="Resolution" testId="fact-resolution">
            {f.resolution}
          </Fact>
        )}
        {f.seed !== undefined && (
          <Fact name="Seed" testId="fact-seed">
            {f.seed}
          </Fact>
        )}
        {paid && (
          <Fact name="Cost" testId="fact-cost">
            {costText(f, view.requestFrames)}
          </Fact>
        )}
        {f.finishedAt !== undefined && (
          <Fact name="Finished" testId="fact-finished">
            {when(f.finishedAt)}
          </Fact>
        )}
        {f.requestId !== undefined && (
          <Fact name="Request id" testId="fact-request">
            <code>{f.requestId}</code>
          </Fact>
        )}
        {f.jobId !== undefined && (
          <Fact name="Job id" testId="fact-job">
            <code>{f.jobId}</code>
          </Fact>
        )}
        {f.prompt !== undefined && (
          <Fact name="Prompt" testId="fact-prompt">
            <span className="frame-facts-prompt">{f.prompt || '(empty)'}</span>
          </Fact>
        )}
        {!paid && !view.madeBy && (
          <Fact name="Made by" testId="fact-made-by">
            <span className="muted">no paid request is known for this frame</span>
          </Fact>
        )}
      </dl>
    </section>
  );
}
