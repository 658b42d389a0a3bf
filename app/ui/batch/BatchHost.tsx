import { lazy, Suspense } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { BatchStore } from '../../store/batch-store';
import { useServices, useStudioStore } from '../studio-context';
import { useLoadedBatches } from './batch-access';

// The dialog (table, widgets, contact sheet) loads when a batch is first opened, not with the editor.
const BatchDialog = lazy(() => import('./BatchDialog').then((m) => ({ default: m.BatchDialog })));

function BatchParts({ batches }: { batches: BatchStore }) {
  const store = useStudioStore();
  const { open, hasSession, running, label } = useStore(
    batches.store,
    useShallow((s) => {
      const t = s.session?.summary?.totals;
      const running = s.session?.phase === 'running';
      return {
        open: s.open && s.session !== null,
        hasSession: s.session !== null,
        running,
        label: running && t ? `Batch ${t.succeeded + t.failed}/${t.rows}…` : 'Batch…',
      };
    }),
  );
  return (
    <>
      <button
        type="button"
        className={running ? 'batch-running' : ''}
        data-testid="batch-button"
        title={hasSession ? 'Show the batch' : 'Run this graph over many rows (its template fields are the columns; Save as template… exposes fields)'}
        onClick={() => {
          if (hasSession) return batches.show();
          const workflow = store.getState().workflow;
          const name = workflow.meta.name ?? 'Untitled';
          batches.openFor(name, { kind: 'graph', title: name }, workflow);
        }}
      >
        {label}
      </button>
      {open && (
        <Suspense
          fallback={
            <div className="batch-loading" role="status">
              Opening the batch…
            </div>
          }
        >
          <BatchDialog />
        </Suspense>
      )}
    </>
  );
}

/**
 * The toolbar's Batch button (the current graph, or the batch of this tab when there is one,
 * with its progress while it runs) and the Batch dialog, which the gallery's "Batch…" opens too.
 */
export function BatchHost() {
  const access = useServices().batches;
  const batches = useLoadedBatches(access);
  const store = useStudioStore();
  if (!access) return null;
  if (batches) return <BatchParts batches={batches} />;
  return (
    <button
      type="button"
      data-testid="batch-button"
      title="Run this graph over many rows (its template fields are the columns; Save as template… exposes fields)"
      onClick={() =>
        void access.load().then((b) => {
          const workflow = store.getState().workflow;
          const name = workflow.meta.name ?? 'Untitled';
          b.openFor(name, { kind: 'graph', title: name }, workflow);
        })
      }
    >
      Batch…
    </button>
  );
}
