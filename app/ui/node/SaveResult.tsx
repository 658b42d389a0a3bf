import { memo, useState } from 'react';
import type { ImageRef } from '../../graph/ports';
import { isResultStale, resultImages } from '../frames/result-images';
import { useServices, useStudio, useStudioStore } from '../studio-context';
import { nodeById } from './node-index';

const NO_FILES: readonly string[] = [];
/** The file names a Save result was annotated with (the selector returns the stored array itself, so it is stable). */
const filesOf = (meta: Record<string, unknown> | undefined): readonly string[] =>
  Array.isArray(meta?.files) && meta.files.every((f) => typeof f === 'string') ? (meta.files as string[]) : NO_FILES;

/** "a.png, b.png +3 more". */
const fileList = (files: readonly string[]) => `${files.slice(0, 3).join(', ')}${files.length > 3 ? ` +${files.length - 3} more` : ''}`;

/**
 * Under a Save node: the files its images were saved as, and "Save again". A run whose images
 * and prefix did not change (a fully cached run) does not download them twice; this button does.
 */
export const SaveResult = memo(function SaveResult({ nodeId }: { nodeId: string }) {
  const store = useStudioStore();
  const { saveAgain } = useServices();
  const files = useStudio((s) => filesOf(s.results[nodeId]?.meta));
  const images = useStudio((s) => resultImages(s, nodeId));
  const stale = useStudio((s) => isResultStale(s, nodeId));
  const [busy, setBusy] = useState(false);
  if (files.length === 0 || images.length === 0) return null;

  const again = async () => {
    const prefix = nodeById(store.getState().workflow.nodes, nodeId)?.params.prefix;
    if (!saveAgain || typeof prefix !== 'string') return;
    setBusy(true);
    try {
      const names = await saveAgain(images as ImageRef[], prefix);
      store.getState().notify(`Saved again: ${fileList(names)}`);
    } catch (err) {
      store.getState().notify(`The images could not be saved again: ${err instanceof Error ? err.message : String(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="node-saved nodrag" data-testid={`node-saved-${nodeId}`}>
      <span className="muted" title={files.join('\n')}>
        Saved as {fileList(files)}
      </span>
      {saveAgain && (
        <button
          type="button"
          className="link-button"
          data-testid={`save-again-${nodeId}`}
          disabled={busy || stale}
          title={
            stale
              ? 'The inputs changed since these were saved: run to save the new images.'
              : 'Download these images again. A run whose images did not change does not download them twice.'
          }
          onClick={() => void again()}
        >
          {busy ? 'Saving…' : 'Save again'}
        </button>
      )}
    </div>
  );
});
