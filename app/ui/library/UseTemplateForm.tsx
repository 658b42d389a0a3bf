import { useMemo, useState } from 'react';
import { loadWorkflow } from '../../graph/load-workflow';
import type { Workflow } from '../../graph/workflow-schema';
import { applyTemplateValues, checkTemplateValue, isSampleField, templateFields, type ResolvedTemplateField } from '../../templates/template-fields';
import { openLoaded } from '../chrome/open-file';
import { widgetFor } from '../node/widgets/widget-spec';
import { useRegistry, useStudio, useStudioStore } from '../studio-context';
import { placeBeside } from './place-beside';
import { FieldWidget } from './FieldWidget';
import { Modal } from './Modal';

interface UseTemplateFormProps {
  title: string;
  /** The template, already through parse-and-migrate. */
  workflow: Workflow;
  onClose(): void;
}

function FieldRow({ field, value, error, onChange }: { field: ResolvedTemplateField; value: unknown; error?: string; onChange(v: unknown): void }) {
  const testId = `template-field-${field.id}`;
  if (field.problem !== undefined) {
    return (
      <div className="template-field" data-testid={testId}>
        <div className="param-label">{field.label}</div>
        <div className="issue warning">This field {field.problem}; it is left as the template has it.</div>
      </div>
    );
  }
  const spec = { ...widgetFor('value', field.schema), label: field.label };
  return (
    <div className="template-field" data-testid={testId}>
      <label className="param-label">
        {field.label}
        {/* Until replaced, a sample value is only the template's example; the run would use it as it is. */}
        {isSampleField(field) && !field.linked && value === field.value && (
          <span className="tag" data-testid={`${testId}-sample`} title="The template's value is an example: replace it with your own.">
            sample
          </span>
        )}
      </label>
      {(field.description ?? field.meta.description) && <div className="muted field-help">{field.description ?? field.meta.description}</div>}
      {field.linked ? (
        <div className="linked-note">Filled by a linked node in this template: a value here has no effect.</div>
      ) : (
        <FieldWidget id={`tpl-${field.id}`} spec={spec} value={value} onChange={onChange} />
      )}
      {error && (
        <div className="param-problem error" data-testid={`${testId}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}

/**
 * "Use template": a form generated from the template's fields (each drawn by its param's
 * widget and checked by its param's schema), then the filled graph goes on the canvas — and,
 * with "Place and run", runs (the cost dialog still asks before anything is paid).
 */
export function UseTemplateForm({ title, workflow, onClose }: UseTemplateFormProps) {
  const registry = useRegistry();
  const store = useStudioStore();
  const fields = useMemo(() => templateFields(workflow, registry), [workflow, registry]);
  const [values, setValues] = useState<Record<string, unknown>>(() => Object.fromEntries(fields.map((f) => [f.id, f.value])));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitErrors, setSubmitErrors] = useState<Record<string, string>>({});

  const errorOf = (field: ResolvedTemplateField): string | undefined => {
    if (submitErrors[field.id]) return submitErrors[field.id];
    if (!touched.has(field.id) || field.problem !== undefined) return undefined;
    const checked = checkTemplateValue(field, values[field.id]);
    return checked.ok ? undefined : checked.message;
  };

  // Placing over a graph asks first: add the template beside it, or put it in a tab of its own
  // (with tabs) or in its place (without: one undo step).
  const [asking, setAsking] = useState<{ run: boolean } | null>(null);
  const onCanvas = useStudio((s) => s.workflow.nodes.length);

  const tabbed = store.tabs !== undefined;
  const place = (run: boolean, how: 'ask' | 'replace' | 'beside' = 'ask') => {
    const usable = Object.fromEntries(fields.filter((f) => f.problem === undefined && !f.linked).map((f) => [f.id, values[f.id]]));
    const applied = applyTemplateValues(workflow, usable, registry);
    if (!applied.ok) {
      setAsking(null);
      setSubmitErrors(Object.fromEntries(applied.errors.map((e) => [e.fieldId, e.message])));
      return;
    }
    if (how === 'ask' && store.getState().workflow.nodes.length > 0) {
      setAsking({ run });
      return;
    }
    const loaded = loadWorkflow(applied.workflow, registry);
    let target: typeof store | undefined = store;
    if (how === 'beside' && loaded.ok) placeBeside(store, loaded.workflow);
    else target = openLoaded(store, loaded, `template “${title}”`);
    if (!target) return;
    onClose();
    if (run) void target.getState().requestRun();
  };

  return (
    <Modal title={`Use template: ${title}`} testId="use-template-form" className="use-template" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          place(false);
        }}
      >
        {fields.length === 0 && <p className="muted">This template exposes no fields: it is placed as it is.</p>}
        <div className="template-fields">
          {fields.map((field) => (
            <FieldRow
              key={field.id}
              field={field}
              value={values[field.id]}
              error={errorOf(field)}
              onChange={(v) => {
                setValues((old) => ({ ...old, [field.id]: v }));
                setTouched((old) => new Set(old).add(field.id));
                setSubmitErrors(({ [field.id]: _dropped, ...rest }) => rest);
              }}
            />
          ))}
        </div>
        {asking ? (
          <div className="modal-actions template-replace" role="alert" data-testid="use-template-ask">
            <span className="warning-text">
              {tabbed ? (
                <>
                  The canvas has {onCanvas} node{onCanvas === 1 ? '' : 's'}. Open the template in a tab of its own, or add it beside{' '}
                  {onCanvas === 1 ? 'it' : 'them'}?
                </>
              ) : (
                <>
                  The canvas has {onCanvas} node{onCanvas === 1 ? '' : 's'}. Replace {onCanvas === 1 ? 'it' : 'them'} with this template (Undo brings{' '}
                  {onCanvas === 1 ? 'it' : 'them'} back), or add the template beside {onCanvas === 1 ? 'it' : 'them'}?
                </>
              )}
            </span>
            <button type="button" onClick={() => setAsking(null)}>
              Back
            </button>
            <button type="button" data-testid="use-template-beside" onClick={() => place(asking.run, 'beside')}>
              Add beside
            </button>
            <button type="button" className={tabbed ? 'primary' : 'danger'} data-testid="use-template-replace" onClick={() => place(asking.run, 'replace')}>
              {tabbed ? 'Open in a new tab' : 'Replace the canvas'}
            </button>
          </div>
        ) : (
          <div className="modal-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" data-testid="use-template-place">
              Place on canvas
            </button>
            <button type="button" className="primary" data-testid="use-template-run" onClick={() => place(true)}>
              Place and run
            </button>
          </div>
        )}
      </form>
    </Modal>
  );
}
