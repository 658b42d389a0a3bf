import { memo, useRef, useState } from 'react';
import { zImageRef } from '../../../graph/ports';
import { Thumbnail } from '../../frames/Thumbnail';
import { useServices } from '../../studio-context';
import { widgetTestId, type WidgetProps } from './widget-props';

/**
 * An image param (Load Image): a local file (stored as an asset by content hash) or an https
 * URL. Files can be chosen, or dropped on the node.
 */
export const ImageWidget = memo(function ImageWidget({ nodeId, spec, value, onChange, onCommit }: WidgetProps<'image'>) {
  const services = useServices();
  const fileInput = useRef<HTMLInputElement>(null);
  // A refusal belongs to the image shown when it happened: once the image changes (another file, undo), it is gone.
  const [refusal, setRefusal] = useState<{ text: string; value: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = zImageRef.safeParse(value);
  const ref = parsed.success ? parsed.data : null;
  const [urlDraft, setUrlDraft] = useState<string | null>(null);
  const url = urlDraft ?? (ref?.kind === 'url' ? ref.url : '');
  const problem = refusal && refusal.value === value ? refusal.text : null;
  const shownName = ref ? (ref.kind === 'asset' ? (ref.name ?? 'its image') : 'its URL image') : undefined;
  // Said next to a thumbnail that still shows: which image the node keeps using.
  const refuse = (what: string, why: string) => setRefusal({ text: `${what} was not used: ${why}${shownName ? ` The node keeps ${shownName}.` : ''}`, value });

  const importFile = async (file: File) => {
    setBusy(true);
    setRefusal(null);
    const result = await services.importImage(file, file.name);
    setBusy(false);
    if (result.ok) {
      onChange(result.ref);
      onCommit();
    } else refuse(`“${file.name || 'The file'}”`, result.message);
  };

  const commitUrl = () => {
    if (urlDraft === null) return;
    const text = urlDraft.trim();
    setUrlDraft(null);
    if (text === '') return;
    const candidate = zImageRef.safeParse({ kind: 'url', url: text });
    if (candidate.success) {
      setRefusal(null);
      onChange(candidate.data);
      onCommit();
    } else refuse('That URL', 'paste an https:// image URL.');
  };

  return (
    <div
      className="widget widget-image nodrag"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        const file = e.dataTransfer.files[0];
        if (!file) return;
        e.preventDefault();
        e.stopPropagation();
        void importFile(file);
      }}
    >
      <div className="image-row">
        {ref ? (
          <Thumbnail image={ref} size={88} alt={spec.label} className="image-preview" testId={`image-preview-${nodeId}`} />
        ) : (
          <div className="image-drop-hint">Drop a PNG or JPEG here</div>
        )}
        <div className="image-side">
          {ref && (
            <div className="image-name" title={ref.kind === 'asset' ? ref.name : ref.url}>
              {ref.kind === 'asset' ? (ref.name ?? 'local file') : 'URL image'}
              {ref.kind === 'asset' && ref.width ? (
                <div className="muted">
                  {ref.width}×{ref.height}
                </div>
              ) : null}
            </div>
          )}
          <button type="button" className="nodrag" data-testid={`image-choose-${nodeId}`} disabled={busy} onClick={() => fileInput.current?.click()}>
            {busy ? 'Storing…' : ref ? 'Replace…' : 'Choose file…'}
          </button>
          <input
            ref={fileInput}
            type="file"
            accept="image/png,image/jpeg"
            hidden
            data-testid={widgetTestId(nodeId, spec.name)}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
        </div>
      </div>
      <input
        type="url"
        className="nodrag widget-input"
        data-testid={`image-url-${nodeId}`}
        placeholder={spec.placeholder ?? 'https://…'}
        aria-label="Image URL"
        value={url}
        onChange={(e) => setUrlDraft(e.target.value)}
        onBlur={commitUrl}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commitUrl();
        }}
      />
      {problem && (
        <div className="field-problem" role="alert" data-testid={`image-problem-${nodeId}`}>
          {problem}
          <button type="button" className="link-button dismiss" aria-label="Dismiss" onClick={() => setRefusal(null)}>
            ✕
          </button>
        </div>
      )}
    </div>
  );
});
