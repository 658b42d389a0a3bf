import type { WidgetSpec } from './widget-spec';

/** What every param widget gets: the spec, the current value, and how to change it. */
export interface WidgetProps<S extends WidgetSpec['widget'] = WidgetSpec['widget']> {
  nodeId: string;
  spec: Extract<WidgetSpec, { widget: S }>;
  value: unknown;
  onChange(value: unknown): void;
  /** Ends a typing burst (one undo step). */
  onCommit(): void;
}

/** Stable test id of a param's input element. */
export const widgetTestId = (nodeId: string, name: string): string => `widget-${nodeId}-${name}`;
