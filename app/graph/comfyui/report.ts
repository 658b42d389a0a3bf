/** How the import report names things, in one place so every line reads alike. */

const MAX_SHOWN = 80;
const clip = (s: string) => (s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s);

/** A ComfyUI node as a person finds it in ComfyUI: its title when it has one, its type, its id. */
export function comfyName(node: { id: string; type: string; title?: string }): string {
  const type = clip(node.type);
  return node.title && node.title !== node.type ? `“${clip(node.title)}” (${type} #${clip(node.id)})` : `${type} #${clip(node.id)}`;
}

/** `n thing(s)`. */
export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A value quoted for a report line, shortened. */
export const shown = (value: unknown): string => (typeof value === 'string' ? `“${clip(value)}”` : clip(String(JSON.stringify(value) ?? value)));
