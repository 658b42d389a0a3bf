// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTemplateLibrary } from '../../app/store/user-templates';
import { App } from '../../app/ui/App';
import { StudioProvider } from '../../app/ui/studio-context';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

describe('UseTemplateForm', () => {
  it('tags the sample pictures and story until they are replaced, and not the defaults', async () => {
    const t = createTestStore(paidWorkflow(1));
    render(
      <StudioProvider store={t.store} services={fakeUiServices({ templates: new MemoryTemplateLibrary() })}>
        <App />
      </StudioProvider>,
    );
    fireEvent.click(screen.getByTestId('templates-button'));
    const useButton = await screen.findByTestId('use-builtin:storyboard');
    await act(async () => void fireEvent.click(useButton));
    await screen.findByTestId('use-template-form');
    for (const id of ['ref1', 'ref2', 'ref3', 'story']) expect(screen.queryByTestId(`template-field-${id}-sample`), id).not.toBeNull();
    for (const id of ['maxImages', 'resolution']) expect(screen.queryByTestId(`template-field-${id}-sample`), id).toBeNull();
    fireEvent.change(screen.getByTestId('template-field-story').querySelector('textarea')!, { target: { value: 'Generate 2 images of a fox.' } });
    expect(screen.queryByTestId('template-field-story-sample')).toBeNull();
    expect(screen.queryByTestId('template-field-ref1-sample')).not.toBeNull();
  });
});
