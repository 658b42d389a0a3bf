/** A path into a JSON value: object keys and array indexes, from the root. */
export type JsonPath = (string | number)[];

/** What {@link findExcessNesting} found: a value nested too deep, or too many containers to check. */
export type ExcessNesting = { kind: 'too-deep'; path: JsonPath } | { kind: 'too-many'; limit: number };

/**
 * More objects and arrays than any JSON text within the workflow size limit can hold (each takes
 * at least 3 characters), so only in-memory values with shared branches ever reach it.
 */
export const MAX_CHECKED_CONTAINERS = 4_000_000;

interface Frame {
  value: object;
  /** The root is level 1. */
  level: number;
  key: string | number | undefined;
  parent: Frame | undefined;
}

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null && !ArrayBuffer.isView(v);

/**
 * The first place (in document order) where `value` nests objects/arrays more than `maxLevels`
 * deep (the root object is level 1), or undefined when it does not.
 *
 * Iterative on purpose: `JSON.stringify`, `structuredClone` and any recursive walker overflow the
 * stack on a few thousand levels, which `JSON.parse` happily builds. A cycle is reported as
 * too deep (it is infinitely deep); values sharing branches are walked once per path, bounded by
 * `maxContainers` so a hostile object graph cannot make this run forever.
 */
export function findExcessNesting(value: unknown, maxLevels: number, maxContainers = MAX_CHECKED_CONTAINERS): ExcessNesting | undefined {
  if (!isContainer(value)) return undefined;
  const stack: Frame[] = [{ value, level: 1, key: undefined, parent: undefined }];
  let seen = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.level > maxLevels) return { kind: 'too-deep', path: pathOf(frame) };
    if (++seen > maxContainers) return { kind: 'too-many', limit: maxContainers };
    // Children are pushed last-first so they are visited in document order.
    if (Array.isArray(frame.value)) {
      const items = frame.value as unknown[];
      for (let i = items.length - 1; i >= 0; i--) {
        const child = items[i];
        if (isContainer(child)) stack.push({ value: child, level: frame.level + 1, key: i, parent: frame });
      }
    } else {
      const entries = Object.entries(frame.value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        if (isContainer(child)) stack.push({ value: child, level: frame.level + 1, key, parent: frame });
      }
    }
  }
  return undefined;
}

function pathOf(frame: Frame): JsonPath {
  const path: JsonPath = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) path.push(f.key);
  return path.reverse();
}

/**
 * `JSON.stringify` as a value: the text, or why the value cannot be written as JSON (too deep
 * for the stack, a cycle, a BigInt, nothing to write). For places that save something paid for
 * and must not throw; they say in their own words what was not written.
 */
export function jsonText(value: unknown, space?: number): { ok: true; text: string } | { ok: false; reason: string } {
  try {
    const text = JSON.stringify(value, null, space) as string | undefined;
    return text === undefined ? { ok: false, reason: 'not a JSON value' } : { ok: true, text };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
