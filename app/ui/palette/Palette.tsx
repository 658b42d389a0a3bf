import { useReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { useRegistry, useStudioStore } from '../studio-context';
import { groupByCategory, searchKinds } from './search-kinds';

/** Drag-and-drop type carrying a node kind from the palette to the canvas. */
export const KIND_MIME = 'application/x-sequence-studio-kind';

/** The node palette: kinds by category, with search; click adds at the view's centre, drag places. */
export function Palette() {
  const registry = useRegistry();
  const store = useStudioStore();
  const flow = useReactFlow();
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupByCategory(searchKinds(registry, query)), [registry, query]);

  const addAtCentre = (kind: string) => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    const centre = pane ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 } : { x: 400, y: 300 };
    const at = flow.screenToFlowPosition(centre);
    const s = store.getState();
    const id = s.addNode(kind, { x: at.x - 120, y: at.y - 60 });
    s.setSelection([id]);
  };

  return (
    <aside className="palette" data-testid="palette">
      <input
        type="search"
        className="palette-search"
        data-testid="palette-search"
        placeholder="Search nodes…"
        aria-label="Search nodes"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          const first = groups[0]?.[1][0];
          if (e.key === 'Enter' && first) addAtCentre(first.kind);
        }}
      />
      {groups.length === 0 && <div className="palette-empty">No node matches “{query}”.</div>}
      {groups.map(([category, defs]) => (
        <section key={category} className="palette-group" data-testid={`palette-group-${category}`}>
          <h3>{category}</h3>
          {defs.map((def) => (
            <button
              key={def.kind}
              type="button"
              className={`palette-item cat-${category.toLowerCase()}`}
              data-testid={`palette-item-${def.kind}`}
              title={def.description}
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(KIND_MIME, def.kind);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => addAtCentre(def.kind)}
            >
              <span className="palette-dot" />
              {def.title}
            </button>
          ))}
        </section>
      ))}
      <div className="palette-help">
        Double-click the canvas to search · drop a link on empty canvas for matching nodes · drop or paste images for Load Image nodes
      </div>
    </aside>
  );
}
