import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * Canonical JSON (object keys sorted, `undefined` dropped) so that equal values always
 * serialise, and therefore hash, the same way in the browser and in Node.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, []) ?? 'null';
}

/**
 * JSON with object keys sorted (code-unit order) and `undefined`/functions dropped, as
 * safe-stable-stringify writes it (cache keys made before must stay the same: a changed key
 * would pay again for unchanged work — test/lib/hash.test.ts checks both agree). A cycle is
 * written as "[Circular: <depth>]". Small enough that the editor's first screen need not carry a library.
 */
function serialise(value: unknown, stack: unknown[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return String(value);
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  let v: unknown = value;
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    v = (toJSON as () => unknown).call(v);
    if (typeof v !== 'object' || v === null) return serialise(v, stack);
  }
  const seen = stack.indexOf(v);
  if (seen !== -1) return `"[Circular: ${seen}]"`;
  stack.push(v);
  try {
    if (Array.isArray(v)) return `[${v.map((item) => serialise(item, stack) ?? 'null').join(',')}]`;
    const parts: string[] = [];
    for (const key of Object.keys(v as object).sort()) {
      const item = serialise((v as Record<string, unknown>)[key], stack);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    stack.pop();
  }
}

/** SHA-256 of the canonical JSON of `value`, as lowercase hex. Synchronous and isomorphic. */
export function stableHash(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));
}

/** SHA-256 of raw bytes, as lowercase hex (content addresses for image assets). */
export function bytesHash(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
