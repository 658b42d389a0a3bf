import type { StudioStore } from '../../store/create-store';
import type { XY } from '../../store/graph-ops';
import type { UiServices } from '../studio-context';

/** Image files among dropped or pasted items (the format is checked again by content on import). */
export const imageFiles = (files: Iterable<File>): File[] => [...files].filter((f) => f.type.startsWith('image/') || f.type === '');

/**
 * One Load Image node per file, stacked from `at`: each file is checked and stored as an asset
 * first, so a node never points at bytes that are not there. Problems become a notice.
 */
export async function addImageNodes(store: StudioStore, services: UiServices, files: readonly File[], at: XY): Promise<string[]> {
  const ids: string[] = [];
  const problems: string[] = [];
  let y = at.y;
  for (const file of files) {
    const result = await services.importImage(file, file.name || undefined);
    if (!result.ok) {
      problems.push(`${file.name || 'Pasted image'}: ${result.message}`);
      continue;
    }
    const title = file.name ? file.name.replace(/\.[a-z0-9]+$/i, '').slice(0, 60) : undefined;
    ids.push(store.getState().addNode('image.load', { x: at.x, y }, { params: { image: result.ref }, ...(title ? { title } : {}) }));
    y += 300;
  }
  const s = store.getState();
  if (ids.length) s.setSelection(ids);
  if (problems.length) s.notify(problems.join(' · '), 'error');
  return ids;
}
