import { memo, useCallback } from 'react';
import type { Issue } from '../../../graph/issues';
import { IssueFix } from '../IssueFix';
import { useStudioStore } from '../../studio-context';
import { FramesWidget } from './FramesWidget';
import { ImageWidget } from './ImageWidget';
import { NumberWidget, SeedWidget } from './NumberWidgets';
import { SelectWidget, TextareaWidget, TextWidget, ToggleWidget } from './TextWidgets';
import type { WidgetSpec } from './widget-spec';

interface ParamWidgetProps {
  nodeId: string;
  spec: WidgetSpec;
  value: unknown;
  /** An input link replaces this param: the widget hides and says so. */
  linked: boolean;
  /** The planner's issues about this param, shown under it (each with its fix when it has one). */
  problems?: readonly Issue[];
}

/** One labelled param row, drawn by the widget its schema asks for. */
export const ParamWidget = memo(function ParamWidget({ nodeId, spec, value, linked, problems }: ParamWidgetProps) {
  const store = useStudioStore();
  const onChange = useCallback((v: unknown) => store.getState().setParam(nodeId, spec.name, v), [store, nodeId, spec.name]);
  const onCommit = useCallback(() => store.getState().closeHistoryGroup(), [store]);
  const props = { nodeId, value, onChange, onCommit };

  let body;
  if (linked) body = <div className="linked-note">← from the linked input</div>;
  else {
    switch (spec.widget) {
      case 'textarea':
        body = <TextareaWidget {...props} spec={spec} />;
        break;
      case 'text':
        body = <TextWidget {...props} spec={spec} />;
        break;
      case 'number':
        body = <NumberWidget {...props} spec={spec} />;
        break;
      case 'seed':
        body = <SeedWidget {...props} spec={spec} />;
        break;
      case 'select':
        body = <SelectWidget {...props} spec={spec} />;
        break;
      case 'toggle':
        body = <ToggleWidget {...props} spec={spec} />;
        break;
      case 'image':
        body = <ImageWidget {...props} spec={spec} />;
        break;
      case 'frames':
        body = <FramesWidget {...props} spec={spec} />;
        break;
      case 'unsupported':
        body = <div className="linked-note">({spec.schemaType} values are edited in the file)</div>;
        break;
    }
  }
  const inline = spec.widget === 'toggle' || spec.widget === 'number' || spec.widget === 'seed' || spec.widget === 'select' || spec.widget === 'text';
  return (
    <div className={`param ${inline ? 'param-inline' : ''} ${linked ? 'param-linked' : ''}`} data-testid={`param-${nodeId}-${spec.name}`}>
      <label className="param-label" title={spec.description}>
        {spec.label}
      </label>
      <div className="param-body">{body}</div>
      {problems && problems.length > 0 && !linked && (
        <div
          className={`param-problem ${problems.some((p) => p.severity === 'error') ? 'error' : 'warning'}`}
          data-testid={`param-problem-${nodeId}-${spec.name}`}
        >
          {problems.map((p, i) => (
            <div key={i} className={`param-problem-line ${p.severity}`} data-code={p.code}>
              {p.message}
              {p.fix && <IssueFix nodeId={nodeId} fix={p.fix} />}
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
