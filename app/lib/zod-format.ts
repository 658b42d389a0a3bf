import type { z } from 'zod';

/** `nodes[3].params.seed` style path for messages. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Each zod issue as "path: message" (or just the message at the root), for people to read. */
export function formatZodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.map((i) => {
    const path = formatPath([...prefix, ...i.path]);
    return path ? `${path}: ${i.message}` : i.message;
  });
}
