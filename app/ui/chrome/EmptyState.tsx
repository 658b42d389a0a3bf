import { builtinTemplates } from '../../templates';
import { useServices, useStudio, useStudioStore } from '../studio-context';
import { openWorkflowData } from './workflow-files';

/** Shown on an empty canvas: how to start, and the built-in templates one click away. */
export function EmptyState() {
  const store = useStudioStore();
  const { registry } = useServices();
  const empty = useStudio((s) => s.workflow.nodes.length === 0);
  if (!empty) return null;
  return (
    <div className="empty-state">
      <div className="empty-card" data-testid="empty-state">
        <h2>Build a Seedream sequence</h2>
        <div className="muted">Add nodes from the palette or double-click the canvas. Drop or paste images to load them. Or start from a template:</div>
        <div className="template-list">
          {builtinTemplates.map((t) => (
            <button
              key={t.id}
              type="button"
              data-testid={`template-${t.id}`}
              title={t.description}
              onClick={() => openWorkflowData(store, registry, t.workflow, `template “${t.title}”`)}
            >
              {t.title}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
