import { memo, useState } from 'react';
import { useStore } from 'zustand';
import { formatUsd } from '../../engine/estimate-cost';
import { MAX_QUEUE_COUNT } from '../../store/queued-run';
import type { QueueItem, QueueStatus } from '../../store/run-queue';
import { SEED_MODES, type SeedMode } from '../../store/seed-control';
import type { TabManager } from '../../store/tab-manager';
import { useStudio, useStudioStore, useTabs } from '../studio-context';

const STATUS_TEXT: Record<QueueStatus, string> = {
  pending: 'waiting',
  running: 'running',
  done: 'done',
  failed: 'failed',
  refused: 'not run',
  stopped: 'stopped',
  cancelled: 'cancelled',
  'needs-ok': 'needs your OK',
};

const SEED_TEXT: Record<SeedMode, string> = { fixed: 'fixed', increment: 'increment', decrement: 'decrement', randomize: 'randomize' };

/** "up to $0.12", "$0.00", or "cost unknown" — what the user accepted for this run. */
const costText = (item: QueueItem) =>
  item.accepted.paidJobs === 0 ? '$0.00' : item.accepted.totalUsd === undefined ? 'cost unknown' : `up to ${formatUsd(item.accepted.totalUsd)}`;

const QueueRow = memo(function QueueRow({ item, tabs, position, last }: { item: QueueItem; tabs: TabManager; position: number; last: boolean }) {
  const tabTitle = useStore(tabs.state, (s) => s.tabs.find((t) => t.id === item.tabId)?.title);
  const show = () => tabs.activate(item.tabId);
  return (
    <li className="queue-row" data-testid={`queue-item-${item.id}`} data-status={item.status}>
      <div className="queue-row-head">
        <button type="button" className="link-button queue-title" title={tabTitle ? 'Show its tab' : 'Its tab was closed'} onClick={show} disabled={!tabTitle}>
          {tabTitle ?? `${item.title} (closed tab)`}
        </button>
        <span className={`queue-status tone-${item.status}`} data-testid={`queue-status-${item.id}`}>
          {STATUS_TEXT[item.status]}
        </span>
      </div>
      <div className="queue-row-facts muted">
        {item.continued ? 'continued after the reload' : item.label ? `run ${item.label}` : item.targets ? 'run to here' : 'whole graph'}
        {item.seeds?.length ? ` · seed ${item.seeds.join(', ')}` : ''} · <span data-testid={`queue-cost-${item.id}`}>{costText(item)}</span>
      </div>
      {item.note && <div className="queue-note muted">{item.note}</div>}
      <div className="queue-actions">
        {item.status === 'pending' && (
          <>
            <button
              type="button"
              className="icon-button"
              aria-label="Earlier"
              data-testid={`queue-up-${item.id}`}
              disabled={position === 0}
              onClick={() => tabs.queue.move(item.id, position - 1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label="Later"
              data-testid={`queue-down-${item.id}`}
              disabled={last}
              onClick={() => tabs.queue.move(item.id, position + 1)}
            >
              ↓
            </button>
          </>
        )}
        {item.status === 'needs-ok' && (
          <button
            type="button"
            data-testid={`queue-review-${item.id}`}
            onClick={() => {
              show();
              tabs.storeOf(item.tabId)?.getState().reviewQueued(item);
            }}
          >
            Review cost
          </button>
        )}
        {(item.status === 'pending' || item.status === 'needs-ok') && (
          <button
            type="button"
            data-testid={`queue-cancel-${item.id}`}
            title="Remove it from the queue (nothing was paid for it)"
            onClick={() => tabs.queue.cancel(item.id)}
          >
            Cancel
          </button>
        )}
        {item.status === 'running' && (
          <button
            type="button"
            className="danger"
            data-testid={`queue-stop-${item.id}`}
            title="Stop the run: queued paid jobs are cancelled, running ones finish and are billed"
            onClick={() => tabs.queue.stopRunning()}
          >
            ■ Stop
          </button>
        )}
      </div>
    </li>
  );
});

function QueueBody({ tabs }: { tabs: TabManager }) {
  const store = useStudioStore();
  const items = useStore(tabs.queue.store, (s) => s.items);
  const seedMode = useStore(tabs.state, (s) => s.tabs.find((t) => t.id === s.activeId)?.seedMode ?? 'fixed');
  const activeId = useStore(tabs.state, (s) => s.activeId);
  const estimating = useStudio((s) => s.estimating);
  const empty = useStudio((s) => s.workflow.nodes.length === 0);
  const [count, setCount] = useState(3);
  const pending = items.filter((i) => i.status === 'pending');
  const ended = items.some((i) => !['pending', 'running', 'needs-ok'].includes(i.status));
  return (
    <section className="queue-panel" data-testid="queue-panel">
      <header>
        <h3>Queue</h3>
        <span className="muted" data-testid="queue-summary">
          {items.some((i) => i.status === 'running') ? 'one running' : 'idle'}
          {pending.length ? `, ${pending.length} waiting` : ''}
        </span>
        {ended && (
          <button type="button" className="link-button" data-testid="queue-clear" onClick={() => tabs.queue.clearEnded()}>
            Clear ended
          </button>
        )}
      </header>
      <div className="queue-controls">
        <label title="ComfyUI's control after generate: how every seed changes after each queued run">
          Seed after each run{' '}
          <select data-testid="seed-mode" value={seedMode} onChange={(e) => tabs.setSeedMode(activeId, e.target.value as SeedMode)}>
            {SEED_MODES.map((m) => (
              <option key={m} value={m}>
                {SEED_TEXT[m]}
              </option>
            ))}
          </select>
        </label>
        <span className="queue-n">
          <input
            type="number"
            aria-label="How many runs"
            data-testid="queue-count"
            min={1}
            max={MAX_QUEUE_COUNT}
            value={count}
            onChange={(e) => setCount(Math.max(1, Math.min(MAX_QUEUE_COUNT, Math.floor(Number(e.target.value) || 1))))}
          />
          <button
            type="button"
            data-testid="queue-n-button"
            disabled={estimating || empty}
            title="Queue this many runs of the graph, the seeds moving on after each (the cost dialog shows every run's cost first)"
            onClick={() => void store.getState().requestRun(undefined, { count, seedMode })}
          >
            Queue ×{count}
          </button>
        </span>
      </div>
      {items.length === 0 ? (
        <p className="muted queue-empty">Ctrl+Enter while a run is going queues the next run, as the graph is then.</p>
      ) : (
        <ol className="queue-list" data-testid="queue-list">
          {items.map((item) => (
            <QueueRow key={item.id} item={item} tabs={tabs} position={pending.indexOf(item)} last={pending.indexOf(item) === pending.length - 1} />
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * The run queue (one run at a time across tabs): every pending and running run with its tab,
 * what it was accepted to cost and its state; a pending one can be moved or cancelled, the
 * running one stopped; "Queue ×N" with ComfyUI's seed control after each run, for variations.
 */
export function QueuePanel() {
  const tabs = useTabs();
  return tabs ? <QueueBody tabs={tabs} /> : null;
}
