import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { stringify } from 'safe-stable-stringify';

/**
 * Canonical JSON (object keys sorted, `undefined` dropped) so that equal values always
 * serialise, and therefore hash, the same way in the browser and in Node.
 */
export function canonicalJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** SHA-256 of the canonical JSON of `value`, as lowercase hex. Synchronous and isomorphic. */
export function stableHash(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));
}

/** SHA-256 of raw bytes, as lowercase hex (content addresses for image assets). */
export function bytesHash(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
