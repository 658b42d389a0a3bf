import { useReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { usePaletteOpen } from '../canvas/panel-memory';
import { useRegistry, useStudioStore } from '../studio-context';
import { placeInView } from './place-in-view';
import { groupByCategory, searchKinds } from './search-kinds';

/** Roughly a new node's drawn size (before React Flow measures it), for placing it in view. */
const NEW_NODE_SIZE = { width: 300, height: 240 };

/** Drag-and-drop type carrying a node kind from the palette to the canvas. */
export const KIND_MIME = 'application/x-sequence-studio-kind';

/** The node palette: kinds by category, with search; click adds at the view's centre, drag places. Collapses to a strip (remembered). */
export function Palette() {
  const registry = useRegistry();
  const store = useStudioStore();
  const flow = useReactFlow();
  const [open, setOpen] = usePaletteOpen();
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupByCategory(searchKinds(registry, query)), [registry, query]);

  /** A click adds the node in view (clear of the minimap and controls), cascading from the last one placed there. */
  const addAtCentre = (kind: string) => {
    const rect = (selector: string) => document.querySelector(selector)?.getBoundingClientRect();
    const pane = rect('.react-flow') ?? { x: 0, y: 0, width: 800, height: 600 };
    const covered = ['.react-flow__minimap', '.react-flow__controls'].flatMap((sel) => rect(sel) ?? []);
    const s = store.getState();
    const at = placeInView({ pane, covered, zoom: flow.getZoom(), toFlow: (p) => flow.screenToFlowPosition(p) }, s.workflow.nodes, NEW_NODE_SIZE);
    const id = s.addNode(kind, at);
    s.setSelection([id]);
  };

  if (!open) {
    return (
      <aside className="palette palette-collapsed" data-testid="palette" data-collapsed="">
        <button
          type="button"
          className="panel-toggle"
          data-testid="palette-open"
          aria-label="Show the node palette"
          title="Show the node palette"
          onClick={() => setOpen(true)}
        >
          ▸
        </button>
      </aside>
    );
  }

  return (
    <aside className="palette" data-testid="palette">
      <div className="palette-head">
        <span>Nodes</span>
        <button
          type="button"
          className="panel-toggle"
          data-testid="palette-collapse"
          aria-label="Collapse the node palette"
          title="Collapse (room for the canvas)"
          onClick={() => setOpen(false)}
        >
          ◂
        </button>
      </div>
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
