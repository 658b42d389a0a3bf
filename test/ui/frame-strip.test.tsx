// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameStrip } from '../../app/ui/frames/FrameStrip';
import { graph } from '../fixtures/graph-builder';
import { testImage } from '../fixtures/fake-run-context';
import { createTestStore } from '../fixtures/studio-store';
import { renderStudio } from './render-studio';

afterEach(cleanup);

describe('FrameStrip', () => {
  it('renders a result that holds one image (not a list) without an update loop', () => {
    const { store } = createTestStore(graph().node('gen', 'seedream.edit-sequential').build());
    act(() => store.setState({ results: { gen: { outputs: { image: testImage(7) }, meta: {}, cacheKey: 'k', cached: true } } }));
    renderStudio(store, <FrameStrip nodeId="gen" canPick />);
    expect(screen.getByTestId('frames-gen').textContent).toContain('1 frame');
  });
});
