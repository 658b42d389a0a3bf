import { useMemo, useState } from 'react';
import { templateFieldCandidates, type TemplateSpecError } from '../../templates/make-template';
import type { TemplateLibrary } from '../../store/user-templates';
import { useRegistry, useStudioStore } from '../studio-context';
import { Modal } from './Modal';
import { saveAsTemplate } from './template-actions';

/**
 * "Save as template": a name, a description, and which node params become the template's
 * fields (images, prompts and image counts are ticked by default; params replaced by a linked
 * input cannot be exposed). The canvas is not changed; the template goes to the gallery.
 */
export function SaveTemplateDialog({ library, onClose, onSaved }: { library: TemplateLibrary; onClose(): void; onSaved(name: string): void }) {
  const registry = useRegistry();
  const store = useStudioStore();
  const workflow = useMemo(() => store.getState().workflow, [store]);
  const candidates = useMemo(() => templateFieldCandidates(workflow, registry), [workflow, registry]);
  const [name, setName] = useState(workflow.meta.name && workflow.meta.name !== 'Untitled' ? workflow.meta.name : '');
  const [description, setDescription] = useState(workflow.meta.description ?? '');
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set(candidates.filter((c) => c.suggested).map((c) => c.field.id)));
  const [labels, setLabels] = useState<Record<string, string>>(() => Object.fromEntries(candidates.map((c) => [c.field.id, c.field.label])));
  const [errors, setErrors] = useState<TemplateSpecError[]>([]);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    const fields = candidates.filter((c) => picked.has(c.field.id)).map((c) => ({ ...c.field, label: labels[c.field.id]?.trim() || c.field.label }));
    try {
      const result = await saveAsTemplate(library, workflow, { name, description, fields }, registry);
      if (!result.ok) setErrors(result.errors);
      else onSaved(result.template.name);
    } catch (err) {
      setErrors([{ message: `The template could not be stored: ${err instanceof Error ? err.message : String(err)}` }]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Save as template" testId="save-template-dialog" className="save-template" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label className="form-row">
          <span>Name</span>
          <input type="text" data-testid="template-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} autoFocus />
        </label>
        <label className="form-row">
          <span>Description</span>
          <textarea data-testid="template-description" rows={2} value={description} maxLength={5000} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <h3 className="form-subtitle">Fields people fill in</h3>
        {candidates.length === 0 && <p className="muted">This workflow has no params to expose.</p>}
        <ul className="field-picker">
          {candidates.map((c) => (
            <li key={c.field.id} className={c.linked ? 'linked' : ''} data-testid={`template-candidate-${c.field.id}`}>
              <input
                type="checkbox"
                aria-label={`Expose ${c.field.label}`}
                data-testid={`template-pick-${c.field.id}`}
                checked={picked.has(c.field.id)}
                disabled={c.linked}
                onChange={(e) =>
                  setPicked((old) => {
                    const next = new Set(old);
                    if (e.target.checked) next.add(c.field.id);
                    else next.delete(c.field.id);
                    return next;
                  })
                }
              />
              <input
                type="text"
                className="field-label-input"
                aria-label={`Label of ${c.field.id}`}
                value={labels[c.field.id] ?? ''}
                disabled={!picked.has(c.field.id)}
                onChange={(e) => setLabels((old) => ({ ...old, [c.field.id]: e.target.value }))}
              />
              <span className="muted field-target">
                {c.field.target.node}.{c.field.target.param}
                {c.linked ? ' — filled by a link' : c.widget ? ` · ${c.widget}` : ''}
              </span>
            </li>
          ))}
        </ul>
        {errors.length > 0 && (
          <div className="issue error" role="alert" data-testid="save-template-errors">
            {errors.map((e, i) => (
              <div key={i}>{e.message}</div>
            ))}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="save-template-confirm" disabled={busy}>
            {busy ? 'Saving…' : 'Save template'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
