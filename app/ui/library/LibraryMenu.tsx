import { lazy, Suspense, useState } from 'react';
import type { Workflow } from '../../graph/workflow-schema';
import { BatchHost } from '../batch/BatchHost';
import { useServices, useStudio, useStudioStore } from '../studio-context';

// The dialogs load when first opened, not with the editor (they carry zips, forms and galleries).
const HistoryPanel = lazy(() => import('./HistoryPanel').then((m) => ({ default: m.HistoryPanel })));
const SaveTemplateDialog = lazy(() => import('./SaveTemplateDialog').then((m) => ({ default: m.SaveTemplateDialog })));
const TemplateGallery = lazy(() => import('./TemplateGallery').then((m) => ({ default: m.TemplateGallery })));
const UseTemplateForm = lazy(() => import('./UseTemplateForm').then((m) => ({ default: m.UseTemplateForm })));

type Open = { kind: 'gallery' } | { kind: 'save' } | { kind: 'use'; title: string; workflow: Workflow } | { kind: 'history' } | null;

/** Toolbar buttons for templates and history, and the dialogs they open. */
export function LibraryMenu() {
  const store = useStudioStore();
  const services = useServices();
  const empty = useStudio((s) => s.workflow.nodes.length === 0);
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  return (
    <>
      <button type="button" data-testid="templates-button" title="Template gallery: use, import, export" onClick={() => setOpen({ kind: 'gallery' })}>
        Templates
      </button>
      <button
        type="button"
        data-testid="save-template-button"
        disabled={empty || !services.templates}
        title={services.templates ? 'Save this workflow as a template' : 'Browser storage is unavailable'}
        onClick={() => setOpen({ kind: 'save' })}
      >
        Save as template…
      </button>
      <button type="button" data-testid="history-button" title="Every finished generation" onClick={() => setOpen({ kind: 'history' })}>
        History
      </button>
      <BatchHost />
      <Suspense
        fallback={
          open ? (
            <div className="dialog-loading" role="status">
              Opening…
            </div>
          ) : null
        }
      >
        {open?.kind === 'gallery' && <TemplateGallery onClose={close} onUse={(title, workflow) => setOpen({ kind: 'use', title, workflow })} />}
        {open?.kind === 'use' && <UseTemplateForm title={open.title} workflow={open.workflow} onClose={close} />}
        {open?.kind === 'save' && services.templates && (
          <SaveTemplateDialog
            library={services.templates}
            onClose={close}
            onSaved={(name) => {
              store.getState().notify(`Saved template “${name}”. Find it under Templates.`);
              close();
            }}
          />
        )}
        {open?.kind === 'history' && <HistoryPanel onClose={close} />}
      </Suspense>
    </>
  );
}
