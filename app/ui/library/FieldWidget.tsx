import { FramesWidget } from '../node/widgets/FramesWidget';
import { ImageWidget } from '../node/widgets/ImageWidget';
import { NumberWidget, SeedWidget } from '../node/widgets/NumberWidgets';
import { SelectWidget, TextareaWidget, TextWidget, ToggleWidget } from '../node/widgets/TextWidgets';
import type { WidgetSpec } from '../node/widgets/widget-spec';

interface FieldWidgetProps {
  /** Unique per field: the widgets' test ids are built from it (`widget-<id>-value`). */
  id: string;
  spec: WidgetSpec;
  value: unknown;
  onChange(value: unknown): void;
}

/**
 * The node param widgets, bound to a form value instead of the store: the Use-template form
 * draws each field with the same widget its node param uses on the canvas.
 */
export function FieldWidget({ id, spec, value, onChange }: FieldWidgetProps) {
  const props = { nodeId: id, value, onChange, onCommit: () => undefined };
  switch (spec.widget) {
    case 'textarea':
      return <TextareaWidget {...props} spec={spec} />;
    case 'text':
      return <TextWidget {...props} spec={spec} />;
    case 'number':
      return <NumberWidget {...props} spec={spec} />;
    case 'seed':
      return <SeedWidget {...props} spec={spec} />;
    case 'select':
      return <SelectWidget {...props} spec={spec} />;
    case 'toggle':
      return <ToggleWidget {...props} spec={spec} />;
    case 'image':
      return <ImageWidget {...props} spec={spec} />;
    case 'frames':
      return <FramesWidget {...props} spec={spec} />;
    case 'unsupported':
      return <div className="linked-note">({spec.schemaType} values are edited in the file)</div>;
  }
}
