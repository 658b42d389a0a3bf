import { useEffect, useState } from 'react';
import type { SavedWorkflow, WorkflowLibrary } from '../../store/workflow-library';
import { useTabsUi } from '../tabs/tabs-ui';

/** The saved workflows, read again after every save, rename or delete made here (null while reading). */
export function useSavedWorkflows(library: WorkflowLibrary | undefined): { entries: SavedWorkflow[] | null; error: string | null } {
  const revision = useTabsUi((s) => s.libraryRevision);
  const [entries, setEntries] = useState<SavedWorkflow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!library) return;
    let live = true;
    library.list().then(
      (list) => {
        if (!live) return;
        setEntries(list);
        setError(null);
      },
      (err: unknown) => {
        if (!live) return;
        setEntries([]);
        setError(`Your saved workflows could not be read: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
    return () => {
      live = false;
    };
  }, [library, revision]);
  return { entries: library ? entries : [], error };
}

/** "12 Mar, 14:05", or just the time for today. */
export function savedWhen(iso: string): string {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
