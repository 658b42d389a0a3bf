import { useEffect, useRef, type ReactNode } from 'react';

interface ModalProps {
  title: ReactNode;
  testId: string;
  className?: string;
  onClose(): void;
  children: ReactNode;
}

/**
 * A dialog over the editor. Esc closes it (and is marked handled, so the editor's own Esc —
 * which would clear the selection — does not also fire); focus moves into it when it opens.
 */
export function Modal({ title, testId, className, onClose, children }: ModalProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, []);
  return (
    <div
      className="modal-backdrop"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }}
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={box}
        tabIndex={-1}
        className={`modal library-modal ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={typeof title === 'string' ? title : undefined}
        data-testid={testId}
      >
        <header className="library-modal-header">
          <h2>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close" data-testid={`${testId}-close`} onClick={onClose}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
