import { memo, useState } from 'react';
import { widgetTestId, type WidgetProps } from './widget-props';

/** Why `text` is not an acceptable value, or undefined when it is. */
export function numberProblem(text: string, rule: { min?: number; max?: number; integer: boolean }): string | undefined {
  if (text.trim() === '') return 'Enter a number';
  const n = Number(text);
  if (!Number.isFinite(n)) return 'Enter a number';
  if (rule.integer && !Number.isInteger(n)) return 'Enter a whole number';
  if (rule.min !== undefined && n < rule.min) return `At least ${rule.min}`;
  if (rule.max !== undefined && n > rule.max) return `At most ${rule.max}`;
  return undefined;
}

interface NumberFieldProps {
  testId: string;
  label: string;
  value: unknown;
  min?: number;
  max?: number;
  step: number;
  integer: boolean;
  onChange(value: number): void;
  onCommit(): void;
}

/**
 * A number input that lets people type freely ("1" on the way to "12") and only stores values
 * inside the bounds; while the text is out of bounds the field says why and the param keeps
 * its last good value.
 */
function NumberField({ testId, label, value, min, max, step, integer, onChange, onCommit }: NumberFieldProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? (typeof value === 'number' ? String(value) : '');
  const problem = draft === null ? undefined : numberProblem(draft, { min, max, integer });
  return (
    <span className="number-field">
      <input
        type="number"
        className={`nodrag widget-input ${problem ? 'invalid' : ''}`}
        data-testid={testId}
        aria-label={label}
        aria-invalid={problem ? true : undefined}
        title={problem}
        min={min}
        max={max}
        step={step}
        value={shown}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          if (!numberProblem(text, { min, max, integer })) onChange(Number(text));
        }}
        onBlur={() => {
          setDraft(null);
          onCommit();
        }}
      />
      {problem && <span className="field-problem">{problem}</span>}
    </span>
  );
}

export const NumberWidget = memo(function NumberWidget({ nodeId, spec, value, onChange, onCommit }: WidgetProps<'number'>) {
  return (
    <NumberField
      testId={widgetTestId(nodeId, spec.name)}
      label={spec.label}
      value={value}
      min={spec.min}
      max={spec.max}
      step={spec.step}
      integer={spec.integer}
      onChange={onChange}
      onCommit={onCommit}
    />
  );
});

/** A uniformly random integer in [min, max]. */
export function randomSeed(min: number, max: number, random: () => number = Math.random): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** The seed: a number plus a button for a new variation (the seed is part of the cache key). */
export const SeedWidget = memo(function SeedWidget({ nodeId, spec, value, onChange, onCommit }: WidgetProps<'seed'>) {
  return (
    <span className="seed-widget">
      <NumberField
        testId={widgetTestId(nodeId, spec.name)}
        label={spec.label}
        value={value}
        min={spec.min}
        max={spec.max}
        step={1}
        integer
        onChange={onChange}
        onCommit={onCommit}
      />
      <button
        type="button"
        className="nodrag icon-button"
        data-testid={`seed-new-${nodeId}`}
        title="New variation: pick a new random seed"
        onClick={() => {
          onCommit();
          onChange(randomSeed(spec.min, spec.max));
          onCommit();
        }}
      >
        ⟳ New
      </button>
    </span>
  );
});
