import type { NodeName } from './node-names';
import { numberedTitle } from './node-names';

/** A node's title as listed: numbered when other nodes share it, with a short hint of what sets it apart. */
export function NodeNameLabel({ name }: { name: NodeName }) {
  return (
    <>
      {numberedTitle(name)}
      {name.hint && <span className="node-name-hint"> — “{name.hint}”</span>}
    </>
  );
}
