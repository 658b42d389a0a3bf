// First: configures zod before any schema parses (no eval probe under the CSP).
import './browser/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './ui/styles/theme.css';
import './ui/styles/library.css';
import './ui/styles/tabs.css';
import { composeStudio } from './browser/compose';
import { App } from './ui/App';
import { TabbedStudioProvider } from './ui/studio-context';

/**
 * The browser entry: builds the services (see browser/compose.ts), restores the window's tabs,
 * and mounts the editor. No credentials reach the browser: `/api/v1` is the server's proxy, which adds them.
 */
async function main(): Promise<void> {
  const rootEl = document.getElementById('root');
  if (!rootEl) throw new Error('index.html has no #root element');
  const { tabs, services, flush } = await composeStudio();
  // Leaving the page saves what the throttles have not saved yet (every tab, and the tabs themselves).
  window.addEventListener('pagehide', () => void flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void flush();
  });
  createRoot(rootEl).render(
    <StrictMode>
      <TabbedStudioProvider tabs={tabs} services={services}>
        <App />
      </TabbedStudioProvider>
    </StrictMode>,
  );
}

main().catch((err: unknown) => {
  const rootEl = document.getElementById('root');
  if (rootEl) {
    rootEl.textContent = `Sequence Studio could not start: ${err instanceof Error ? err.message : String(err)}`;
    rootEl.className = 'boot-error';
  }
  console.error(err);
});
