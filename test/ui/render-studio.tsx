import { ReactFlowProvider } from '@xyflow/react';
import { configure, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { StudioStore } from '../../app/store/create-store';
import { StudioProvider, type UiServices } from '../../app/ui/studio-context';
import { registry } from '../../nodes';

// Dialogs, the lightbox and menus load lazily: on a busy machine their first import (transformed on
// demand) takes seconds, so findBy* waits up to 10 s (it still resolves as soon as they appear).
configure({ asyncUtilTimeout: 10_000 });

/** UI services that never touch the network: thumbnails stay pending, imports succeed as fakes. */
export function fakeUiServices(overrides: Partial<UiServices> = {}): UiServices & { downloads: string[] } {
  const downloads: string[] = [];
  return {
    registry,
    images: {
      thumbnail: () => new Promise<string>(() => undefined),
      original: async () => new Blob([]),
    },
    importImage: async () => ({ ok: false, message: 'not in tests' }),
    download: (name) => downloads.push(name),
    downloads,
    ...overrides,
  };
}

/** Renders UI under the providers the app uses (store, services, React Flow). */
export function renderStudio(store: StudioStore, ui: ReactNode, services: UiServices = fakeUiServices()) {
  return render(
    <StudioProvider store={store} services={services}>
      <ReactFlowProvider>{ui}</ReactFlowProvider>
    </StudioProvider>,
  );
}
