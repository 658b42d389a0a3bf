const COLUMN = 380;
const ROW = 300;

/**
 * Positions for the nodes (and notes) that have none (all of them in ComfyUI's API format, which saves no
 * layout): a column per link depth (links given as [from, to] node ids), left to right, in file order within a column, below any
 * nodes that kept their ComfyUI position. Kahn's algorithm, so loops end (their nodes stay in
 * column 0) and the work is linear in nodes and links.
 */
export function layeredPositions(
  nodes: readonly { id: string; position: { x: number; y: number } }[],
  links: readonly (readonly [string, string])[],
): Map<string, { x: number; y: number }> {
  const unplaced = nodes.filter((n) => !Number.isFinite(n.position.x) || !Number.isFinite(n.position.y));
  const out = new Map<string, { x: number; y: number }>();
  if (!unplaced.length) return out;
  const ids = new Set(unplaced.map((n) => n.id));
  const depth = new Map(unplaced.map((n) => [n.id, 0]));
  const inDegree = new Map(unplaced.map((n) => [n.id, 0]));
  const next = new Map<string, string[]>();
  for (const [from, to] of links) {
    if (!ids.has(from) || !ids.has(to)) continue;
    inDegree.set(to, inDegree.get(to)! + 1);
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  }
  const queue = unplaced.filter((n) => inDegree.get(n.id) === 0).map((n) => n.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const t of next.get(id) ?? []) {
      depth.set(t, Math.max(depth.get(t)!, depth.get(id)! + 1));
      const left = inDegree.get(t)! - 1;
      inDegree.set(t, left);
      if (left === 0) queue.push(t);
    }
  }
  const placedYs = nodes.filter((n) => !ids.has(n.id)).map((n) => n.position.y);
  const top = placedYs.length ? Math.max(...placedYs) + ROW : 0;
  const rows = new Map<number, number>();
  for (const n of unplaced) {
    const column = depth.get(n.id)!;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    out.set(n.id, { x: column * COLUMN, y: top + row * ROW });
  }
  return out;
}
