import { useMemo, useState } from 'react';
import type { StudioState } from '../../store/store-types';
import { useRegistry, useStudio, useStudioStore } from '../studio-context';
import { searchKinds, type LinkNeed } from './search-kinds';

/**
 * What the chosen node must take and give, as `side:type` pairs joined by `|`, or '' (a string,
 * so the selector is stable): the open end of a dropped link, or both ends of a link to put a node on.
 */
function linkNeedKey(s: StudioState, registry: ReturnType<typeof useRegistry>): string {
  const typeOf = (ref: { node: string; port: string }, side: 'inputs' | 'outputs') => {
    const node = s.workflow.nodes.find((n) => n.id === ref.node);
    return node ? registry.get(node.kind)?.[side].find((p) => p.name === ref.port)?.type : undefined;
  };
  const splice = s.search?.splice ? s.workflow.edges.find((e) => e.id === s.search?.splice) : undefined;
  if (splice) {
    const from = typeOf(splice.source, 'outputs');
    const into = typeOf(splice.target, 'inputs');
    return from && into ? `source:${from}|target:${into}` : '';
  }
  const from = s.search?.linkFrom;
  if (!from) return '';
  const node = s.workflow.nodes.find((n) => n.id === from.node);
  const def = node && registry.get(node.kind);
  const port = from.side === 'source' ? def?.outputs.find((p) => p.name === from.port) : def?.inputs.find((p) => p.name === from.port);
  return port ? `${from.side}:${port.type}` : '';
}

function parseNeed(key: string): LinkNeed[] | undefined {
  if (!key) return undefined;
  return key.split('|').map((part) => {
    const [side, type] = part.split(':') as [LinkNeed['side'], LinkNeed['type']];
    return { side, type };
  });
}

/**
 * The search popup opened by double-clicking the canvas or dropping a link on it. When a link
 * was dropped, only kinds that can take it are listed, and the new node is linked to it.
 */
export function NodeSearch() {
  const store = useStudioStore();
  const registry = useRegistry();
  const search = useStudio((s) => s.search);
  const needKey = useStudio((s) => linkNeedKey(s, registry));
  const need = useMemo(() => parseNeed(needKey), [needKey]);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const results = useMemo(() => searchKinds(registry, query, need), [registry, query, need]);
  if (!search) return null;

  const close = () => {
    setQuery('');
    setActive(0);
    store.getState().closeSearch();
  };
  const choose = (kind: string) => {
    const s = store.getState();
    const id = search.splice
      ? s.spliceNode(search.splice, kind, search.flow)
      : s.addNode(kind, search.flow, search.linkFrom ? { linkFrom: search.linkFrom } : {});
    if (id) s.setSelection([id]);
    close();
  };

  return (
    <div className="search-backdrop" onMouseDown={close}>
      <div
        className="node-search"
        data-testid="node-search"
        style={{
          // Kept inside the window, whatever corner it was opened in.
          left: Math.max(8, Math.min(search.screen.x, window.innerWidth - 290)),
          top: Math.max(8, Math.min(search.screen.y, window.innerHeight - 360)),
        }}
        onMouseDown={(e) => e.stopPropagation()}
      >
        {need && (
          <div className="search-hint">
            Nodes that{' '}
            {need.map((n, i) => (
              <span key={n.side}>
                {i > 0 && ' and '}
                {n.side === 'source' ? 'take' : 'give'} <span className={`port-type port-type-${n.type}`}>{n.type}</span>
              </span>
            ))}
          </div>
        )}
        <input
          autoFocus
          data-testid="node-search-input"
          placeholder="Search nodes…"
          aria-label="Search nodes to add"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
            else if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
            else if (e.key === 'Enter' && results[active]) choose(results[active].kind);
            else return;
            e.preventDefault();
          }}
        />
        <ul role="listbox">
          {results.map((def, i) => (
            <li
              key={def.kind}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              data-testid={`node-search-item-${def.kind}`}
              onMouseEnter={() => setActive(i)}
              onClick={() => choose(def.kind)}
            >
              <span className="search-title">{def.title}</span>
              <span className="search-category">{def.category}</span>
            </li>
          ))}
          {results.length === 0 && <li className="empty">No matching node</li>}
        </ul>
      </div>
    </div>
  );
}
