import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { offsetTo, parseClipboardText, serializeSelection } from '../../store/clipboard';
import { isTextEntry } from '../../store/shortcuts';
import { addImageNodes, imageFiles } from '../canvas/add-image-nodes';
import { useServices, useStudioStore } from '../studio-context';

/** Whether the user is copying text rather than nodes. */
const copyingText = (target: EventTarget | null): boolean => isTextEntry(target) || (window.getSelection()?.toString() ?? '') !== '';

/**
 * Copy, cut and paste through the browser's clipboard events: nodes travel as JSON text, so they
 * paste into another tab too; pasted images become Load Image nodes. Text fields keep the
 * browser's own behaviour.
 */
export function useClipboard(): void {
  const store = useStudioStore();
  const services = useServices();
  const flow = useReactFlow();
  useEffect(() => {
    let pointer = { x: window.innerWidth / 2, y: window.innerHeight / 2 };
    const onPointer = (e: PointerEvent) => {
      pointer = { x: e.clientX, y: e.clientY };
    };
    const copy = (e: ClipboardEvent, cut: boolean) => {
      if (copyingText(e.target) || !e.clipboardData) return;
      const s = store.getState();
      const text = serializeSelection(s.workflow, s.selectedNodes);
      if (!text) return;
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
      if (cut) {
        s.removeElements(s.selectedNodes);
        s.setSelection([]);
      }
    };
    const onCopy = (e: ClipboardEvent) => copy(e, false);
    const onCut = (e: ClipboardEvent) => copy(e, true);
    const onPaste = (e: ClipboardEvent) => {
      if (isTextEntry(e.target) || !e.clipboardData) return;
      const at = flow.screenToFlowPosition(pointer);
      const files = imageFiles(e.clipboardData.files);
      if (files.length) {
        e.preventDefault();
        void addImageNodes(store, services, files, at);
        return;
      }
      const s = store.getState();
      const fragment = parseClipboardText(e.clipboardData.getData('text/plain'), services.registry);
      if (!fragment) return;
      e.preventDefault();
      s.setSelection(s.insertFragment(fragment, offsetTo(fragment.nodes, at)));
    };
    window.addEventListener('pointermove', onPointer);
    window.addEventListener('copy', onCopy);
    window.addEventListener('cut', onCut);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('pointermove', onPointer);
      window.removeEventListener('copy', onCopy);
      window.removeEventListener('cut', onCut);
      window.removeEventListener('paste', onPaste);
    };
  }, [store, services, flow]);
}
