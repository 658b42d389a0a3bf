// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageRef } from '../../app/graph/ports';
import { SaveResult } from '../../app/ui/node/SaveResult';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore } from '../fixtures/studio-store';
import { fakeUiServices, renderStudio } from './render-studio';

afterEach(cleanup);

const saving = () =>
  graph({ name: 'save' })
    .node('load', 'image.load', { image: testImage(1) })
    .node('save', 'image.save', { prefix: 'kite' })
    .edge('load.image', 'save.images')
    .build();

describe('SaveResult', () => {
  it('names the saved files and downloads them again on "Save again"', async () => {
    const t = createTestStore(saving());
    await t.store.getState().requestRun();
    const again: { images: readonly ImageRef[]; prefix: string }[] = [];
    renderStudio(
      t.store,
      <SaveResult nodeId="save" />,
      fakeUiServices({
        saveAgain: async (images, prefix) => {
          again.push({ images, prefix });
          return ['kite-01.png'];
        },
      }),
    );
    expect(screen.getByTestId('node-saved-save').textContent).toMatch(/Saved as kite-001\.png/);
    await act(async () => void fireEvent.click(screen.getByTestId('save-again-save')));
    expect(again).toEqual([{ images: [testImage(1)], prefix: 'kite' }]);
    await waitFor(() => expect(t.store.getState().notice?.text).toBe('Saved again: kite-01.png'));
  });

  it('offers no "Save again" for images the inputs no longer give (stale)', async () => {
    const t = createTestStore(saving());
    await t.store.getState().requestRun();
    act(() => t.store.getState().setParam('save', 'prefix', 'other'));
    t.store.flushAnalysis();
    renderStudio(t.store, <SaveResult nodeId="save" />, fakeUiServices({ saveAgain: async () => [] }));
    expect((screen.getByTestId('save-again-save') as HTMLButtonElement).disabled).toBe(true);
  });
});
