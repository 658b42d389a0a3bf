import { memo } from 'react';
import { widgetTestId, type WidgetProps } from './widget-props';

/** A multi-line text param, with a live character counter when the param has a limit. */
export const TextareaWidget = memo(function TextareaWidget({ nodeId, spec, value, onChange, onCommit }: WidgetProps<'textarea'>) {
  const text = typeof value === 'string' ? value : '';
  // maxChars is the most allowed ("under 600" is 599): the counter shows the most that may be typed.
  const limit = spec.maxChars;
  const over = limit !== undefined && text.length > limit;
  return (
    <div className="widget widget-textarea">
      <textarea
        className={`nodrag nowheel ${over ? 'invalid' : ''}`}
        data-testid={widgetTestId(nodeId, spec.name)}
        aria-label={spec.label}
        placeholder={spec.placeholder}
        value={text}
        maxLength={spec.maxLength}
        rows={4}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onCommit}
      />
      {limit !== undefined && (
        <div className={`char-counter ${over ? 'over' : ''}`} data-testid={`${widgetTestId(nodeId, spec.name)}-counter`}>
          {text.length}/{limit}
        </div>
      )}
    </div>
  );
});

/** A single-line text param. */
export const TextWidget = memo(function TextWidget({ nodeId, spec, value, onChange, onCommit }: WidgetProps<'text'>) {
  return (
    <input
      type="text"
      className="nodrag widget-input"
      data-testid={widgetTestId(nodeId, spec.name)}
      aria-label={spec.label}
      placeholder={spec.placeholder}
      maxLength={spec.maxLength}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value)}
      onBlur={onCommit}
    />
  );
});

/** A boolean param. */
export const ToggleWidget = memo(function ToggleWidget({ nodeId, spec, value, onChange }: WidgetProps<'toggle'>) {
  return (
    <input
      type="checkbox"
      className="nodrag"
      data-testid={widgetTestId(nodeId, spec.name)}
      aria-label={spec.label}
      checked={value === true}
      onChange={(e) => onChange(e.target.checked)}
    />
  );
});

/** A choice among fixed options. */
export const SelectWidget = memo(function SelectWidget({ nodeId, spec, value, onChange }: WidgetProps<'select'>) {
  return (
    <select
      className="nodrag widget-input"
      data-testid={widgetTestId(nodeId, spec.name)}
      aria-label={spec.label}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value)}
    >
      {spec.options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
});
