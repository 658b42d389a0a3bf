import { useId } from 'react';
import { useStudio, useStudioStore } from '../studio-context';
import '../styles/notice-report.css';

/**
 * A notice with lines (what opening a file found, e.g. a ComfyUI import's report) as a panel
 * that stays until dismissed (its button, or Esc): a heading, the first line as the summary,
 * the rest as a list that scrolls. Drawn in the canvas's bottom strip between the view buttons
 * and the minimap, the room the opening fit leaves free (canvas/readable-fit.ts), so it hides
 * no node of a graph just opened, nor the Run button.
 */
export function NoticeReport() {
  const store = useStudioStore();
  const notice = useStudio((s) => (s.notice?.lines ? s.notice : null));
  const headingId = useId();
  if (!notice?.lines) return null;
  const [summary, ...rest] = notice.lines;
  return (
    <section
      className={`notice-report notice-report-${notice.tone}`}
      role={notice.tone === 'error' ? 'alert' : 'status'}
      aria-labelledby={headingId}
      data-testid="notice"
      data-report="true"
    >
      <header className="notice-report-head">
        <h2 id={headingId}>{notice.text}</h2>
        <button type="button" data-testid="notice-dismiss" title="Dismiss (Esc)" onClick={() => store.getState().dismissNotice()}>
          Dismiss
        </button>
      </header>
      <p className="notice-report-summary">{summary}</p>
      {rest.length > 0 && (
        <ul className="notice-report-lines" data-testid="notice-lines">
          {rest.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
