import { useCallback, useEffect, useRef, useState } from 'react';
import type { Workflow } from '../../graph/workflow-schema';
import { showLoaded } from '../chrome/open-file';
import { useServices, useStudioStore } from '../studio-context';
import { Modal } from './Modal';
import { galleryTemplates, importTemplateFile, loadTemplate, templateFile, type GalleryTemplate } from './template-actions';

interface TemplateGalleryProps {
  onClose(): void;
  /** Opens the Use-template form for a loaded template. */
  onUse(title: string, workflow: Workflow): void;
}

/**
 * The template gallery: the user's templates (IndexedDB) and the built-ins. Use (fill in the
 * form), open as is, export as .json, delete the user's own; import .json (or a PNG saved with
 * its workflow) through parse-and-migrate.
 */
export function TemplateGallery({ onClose, onUse }: TemplateGalleryProps) {
  const store = useStudioStore();
  const services = useServices();
  const library = services.templates;
  const [items, setItems] = useState<GalleryTemplate[] | null>(null);
  const [message, setMessage] = useState<{ tone: 'info' | 'error'; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const refresh = useCallback(() => {
    galleryTemplates(library).then(setItems, (err: unknown) => {
      setItems([]);
      setMessage({ tone: 'error', text: `Your templates could not be read: ${err instanceof Error ? err.message : String(err)}` });
    });
  }, [library]);
  useEffect(refresh, [refresh]);

  const use = (t: GalleryTemplate) => {
    const loaded = loadTemplate(t, services.registry);
    if (!loaded.ok) {
      setMessage({ tone: 'error', text: `“${t.title}” could not be opened: ${loaded.issues.map((i) => i.message).join(' · ')}` });
      return;
    }
    onUse(t.title, loaded.workflow);
  };

  // A batch runs the template over the rows of a table: the Batch dialog takes over from the gallery.
  const batch = (t: GalleryTemplate) => {
    const loaded = loadTemplate(t, services.registry);
    if (!loaded.ok) {
      setMessage({ tone: 'error', text: `“${t.title}” could not be opened: ${loaded.issues.map((i) => i.message).join(' · ')}` });
      return;
    }
    void services.batches?.load().then((b) => b.openFor(t.title, { kind: 'template', title: t.title }, loaded.workflow));
    onClose();
  };

  const importFile = async (file: File) => {
    if (!library) return;
    const { loaded, template } = await importTemplateFile(library, file, services.registry);
    if (!loaded.ok || !template) {
      setMessage({
        tone: 'error',
        text: `“${file.name}” could not be imported: ${loaded.ok ? 'unknown problem' : loaded.issues.map((i) => i.message).join(' · ')}`,
      });
      return;
    }
    const notes = loaded.issues.map((i) => i.message);
    const noFields = (loaded.workflow.meta.template?.fields.length ?? 0) === 0 ? ' It exposes no fields: Use places it as it is.' : '';
    setMessage({ tone: notes.length ? 'error' : 'info', text: `Imported “${template.name}”.${noFields}${notes.length ? ` ${notes.join(' · ')}` : ''}` });
    refresh();
  };

  return (
    <Modal title="Templates" testId="template-gallery" className="template-gallery" onClose={onClose}>
      <div className="gallery-actions">
        <button type="button" data-testid="template-import" disabled={!library} onClick={() => fileInput.current?.click()}>
          Import .json…
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          accept="application/json,.json,image/png"
          data-testid="template-import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
        {!library && <span className="muted">Browser storage is unavailable: only the built-in templates are shown.</span>}
      </div>
      {message && (
        <div
          className={`issue ${message.tone === 'error' ? 'error' : 'info'}`}
          role={message.tone === 'error' ? 'alert' : 'status'}
          data-testid="template-gallery-message"
        >
          {message.text}
        </div>
      )}
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="gallery-grid">
          {items.map((t) => (
            <li key={t.key} className={`gallery-card source-${t.source}`} data-testid={`gallery-${t.source}-${t.id}`}>
              <div className="gallery-card-title">
                {t.title}
                <span className={`pill pill-${t.source}`}>{t.source === 'builtin' ? 'built-in' : 'mine'}</span>
              </div>
              <div className="gallery-card-description muted">{t.description || 'No description.'}</div>
              <div className="gallery-card-meta muted">
                {t.fieldCount} field{t.fieldCount === 1 ? '' : 's'}
                {t.updatedAt ? ` · saved ${new Date(t.updatedAt).toLocaleString()}` : ''}
              </div>
              <div className="gallery-card-actions">
                <button type="button" className="primary" data-testid={`use-${t.key}`} onClick={() => use(t)}>
                  Use…
                </button>
                {services.batches && (
                  <button
                    type="button"
                    data-testid={`batch-${t.key}`}
                    title="Run this template over many rows (a table, a pasted CSV, dropped images)"
                    onClick={() => batch(t)}
                  >
                    Batch…
                  </button>
                )}
                <button
                  type="button"
                  data-testid={`open-${t.key}`}
                  onClick={() => {
                    if (showLoaded(store, loadTemplate(t, services.registry), `template “${t.title}”`)) onClose();
                  }}
                >
                  Open as is
                </button>
                <button
                  type="button"
                  data-testid={`export-${t.key}`}
                  onClick={() => {
                    const file = templateFile(t);
                    services.download(file.name, file.blob);
                  }}
                >
                  Export
                </button>
                {t.source === 'user' && library && (
                  <button
                    type="button"
                    className={confirming === t.key ? 'danger' : ''}
                    aria-label={`Delete ${t.title}`}
                    data-testid={`delete-${t.key}`}
                    onClick={() => {
                      // Two clicks: a template is not deleted by a stray one.
                      if (confirming !== t.key) return setConfirming(t.key);
                      setConfirming(null);
                      void library.delete(t.id).then(refresh);
                    }}
                  >
                    {confirming === t.key ? 'Really delete?' : 'Delete'}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
