import { useEffect, useState } from 'react';
import { z } from 'zod';
import type { StudioStore } from '../../store/create-store';

const STORAGE_KEY = 'sequence-studio:panels';
const zPanels = z.object({ palette: z.boolean().optional(), runPanel: z.boolean().optional() });
export type Panels = z.infer<typeof zPanels>;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** Which side panels the user left open or collapsed (absent: open), from localStorage. */
export function readPanels(from: Pick<Storage, 'getItem'> | undefined = storage()): Panels {
  try {
    const parsed = zPanels.safeParse(JSON.parse(from?.getItem(STORAGE_KEY) ?? '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Remembers a panel's state; a full or unavailable storage only means it is not remembered. */
export function writePanels(patch: Panels, to: Pick<Storage, 'getItem' | 'setItem'> | undefined = storage()): void {
  try {
    to?.setItem(STORAGE_KEY, JSON.stringify({ ...readPanels(to), ...patch }));
  } catch {
    // Private mode or quota: the panel opens as default next time.
  }
}

/** The palette's open state, remembered across reloads. */
export function usePaletteOpen(): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(() => readPanels().palette !== false);
  return [
    open,
    (next) => {
      setOpen(next);
      writePanels({ palette: next });
    },
  ];
}

/** Opens or collapses the Run panel as it was left, and remembers it when the user changes it. */
export function useRememberedRunPanel(store: StudioStore): void {
  useEffect(() => {
    const remembered = readPanels().runPanel;
    if (remembered !== undefined && store.getState().runPanelOpen !== remembered) store.getState().setRunPanelOpen(remembered);
    return store.subscribe((s, prev) => {
      if (s.runPanelOpen !== prev.runPanelOpen) writePanels({ runPanel: s.runPanelOpen });
    });
  }, [store]);
}
