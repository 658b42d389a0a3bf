import { useEffect } from 'react';
import { SIMULATOR_BANNER } from '../../lib/app-config';
import { useStudio, useStudioStore } from '../studio-context';

/** Always visible in simulator mode: the frames are placeholders, not Seedream output. */
export function SimulatorBanner() {
  const simulated = useStudio((s) => s.mode === 'simulator');
  if (!simulated) return null;
  return (
    <div className="banner banner-simulator" role="status" data-testid="simulator-banner">
      {SIMULATOR_BANNER}
    </div>
  );
}

/** Stays while the workflow cannot be saved in the browser; goes away after the next good save. */
export function StorageWarning() {
  const message = useStudio((s) => s.storageError);
  if (!message) return null;
  return (
    <div className="banner banner-storage" role="alert" data-testid="storage-warning">
      {message}
    </div>
  );
}

/** A short message at the bottom (opened files, refused links) that goes by itself; a notice with lines is a report (NoticeReport.tsx) instead. */
export function NoticeToast() {
  const store = useStudioStore();
  const notice = useStudio((s) => (s.notice?.lines ? null : s.notice));
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => store.getState().dismissNotice(), notice.tone === 'error' ? 9000 : 5000);
    return () => clearTimeout(timer);
  }, [notice, store]);
  if (!notice) return null;
  return (
    <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="notice">
      <span>{notice.text}</span>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => store.getState().dismissNotice()}>
        ✕
      </button>
    </div>
  );
}
