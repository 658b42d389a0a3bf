import { useEffect, useState } from 'react';
import { formatDuration } from './status-text';

/** Time since `since` (performance.now() origin, like the run clock), ticking every second. */
export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <span className="elapsed">{formatDuration(Math.max(0, now - since))}</span>;
}
