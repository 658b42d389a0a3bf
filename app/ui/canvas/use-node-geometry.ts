import { useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { StudioStore } from '../../store/create-store';
import { buildSignature, geometryKey, geometryOf, loadGeometry, saveGeometry, type NodeGeometry, type RememberedGeometry } from './node-geometry';

/** After the last size change, how long to wait before writing the geometry down. */
const SAVE_DELAY_MS = 1000;

function localStorageOrNone(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The geometry remembered for this page's nodes (read once, before the first draw), and
 * `measured()` to call when React Flow measured nodes: a moment later (or when the page goes
 * away) the geometry of every node of the graph that has one is written down for the next open.
 */
export function useNodeGeometry(store: StudioStore): { remembered: RememberedGeometry; measured: () => void } {
  const flow = useReactFlow();
  const build = useMemo(() => buildSignature(), []);
  const remembered = useMemo(() => loadGeometry(localStorageOrNone(), build), [build]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const save = useCallback(() => {
    const entries: [string, NodeGeometry][] = [];
    for (const n of store.getState().workflow.nodes) {
      const internal = flow.getInternalNode(n.id);
      const geometry = internal && geometryOf(internal, geometryKey(n));
      if (geometry) entries.push([n.id, geometry]);
    }
    saveGeometry(localStorageOrNone(), build, entries);
  }, [store, flow, build]);

  const measured = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = undefined;
      save();
    }, SAVE_DELAY_MS);
  }, [save]);

  // A reload or a closed tab right after a change still leaves the geometry for the next open.
  useEffect(() => {
    const flush = () => {
      if (timer.current === undefined) return;
      clearTimeout(timer.current);
      timer.current = undefined;
      save();
    };
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      clearTimeout(timer.current);
    };
  }, [save]);
  return { remembered, measured };
}
