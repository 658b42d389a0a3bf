import { readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { CODINGS, compress, COMPRESSIBLE_EXTENSIONS, MIN_COMPRESS_BYTES, precompressedName } from './app/server/static-encoding';

/**
 * Writes a `.br` and a `.gz` copy (best compression) next to every built text file worth it,
 * for the server to send to browsers that accept them (app/server/static.ts); a copy that would
 * not be smaller is not written.
 */
function precompress(): Plugin {
  return {
    name: 'sequence-studio:precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      const files = Object.keys(bundle).filter((f) => COMPRESSIBLE_EXTENSIONS.has(extname(f).toLowerCase()));
      await Promise.all(
        files.map(async (file) => {
          const bytes = await readFile(join(dir, file));
          if (bytes.length < MIN_COMPRESS_BYTES) return;
          for (const coding of CODINGS) {
            const body = await compress(bytes, coding, true);
            if (body.length < bytes.length) await writeFile(join(dir, precompressedName(file, coding)), body);
          }
        }),
      );
    },
  };
}

/**
 * One config for the editor build (Vite) and the test runner (Vitest).
 * Browser tests (test/e2e) start their own server and Chromium; they run in the same
 * `vitest run` as everything else so `npm test` really runs every test.
 */
export default defineConfig({
  plugins: [react(), precompress()],
  root: '.',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // zod and the module that sets it jitless share one chunk, which runs before any chunk that
          // builds schemas: otherwise zod probes `new Function` first and the CSP reports a violation.
          groups: [{ name: 'zod', test: /node_modules[\\/]zod[\\/]|app[\\/]browser[\\/]zod-jitless/, priority: 100 }],
        },
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173 },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    reporters: ['default', './test/summary-reporter.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
