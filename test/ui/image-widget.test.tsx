// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Canvas } from '../../app/ui/canvas/Canvas';
import { testImage } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';
import { createTestStore } from '../fixtures/studio-store';
import { fakeUiServices, renderStudio } from './render-studio';

afterEach(cleanup);

const refused = fakeUiServices({ importImage: async () => ({ ok: false, message: 'The image is 5×5; each side must be between 15 and 5999 px.' }) });

function choose(name: string) {
  const input = screen.getByTestId('widget-load-image') as HTMLInputElement;
  const file = new File([new Uint8Array([1, 2, 3])], name, { type: 'image/png' });
  return act(async () => void fireEvent.change(input, { target: { files: [file] } }));
}

describe('ImageWidget', () => {
  it('says a refused file was not used and which image the node keeps (issue 9, item 6)', async () => {
    const { store } = createTestStore(
      graph()
        .node('load', 'image.load', { image: testImage(1) })
        .build(),
    );
    renderStudio(store, <Canvas />, refused);
    await choose('tiny.png');
    const problem = await screen.findByTestId('image-problem-load');
    expect(problem.textContent).toMatch(/^“tiny\.png” was not used: The image is 5×5; .* The node keeps image-1\.png\./);
    expect(store.getState().workflow.nodes[0]!.params.image).toEqual(testImage(1));
  });

  it('drops the refusal once the node shows another image', async () => {
    const { store } = createTestStore(
      graph()
        .node('load', 'image.load', { image: testImage(1) })
        .build(),
    );
    renderStudio(store, <Canvas />, refused);
    await choose('tiny.png');
    await screen.findByTestId('image-problem-load');
    act(() => store.getState().setParam('load', 'image', testImage(2)));
    await waitFor(() => expect(screen.queryByTestId('image-problem-load')).toBeNull());
  });

  it('can be dismissed', async () => {
    const { store } = createTestStore(
      graph()
        .node('load', 'image.load', { image: testImage(1) })
        .build(),
    );
    renderStudio(store, <Canvas />, refused);
    await choose('tiny.png');
    act(() => void fireEvent.click(screen.getByLabelText('Dismiss')));
    expect(screen.queryByTestId('image-problem-load')).toBeNull();
  });
});
