/**
 * Imported first by the browser entry (app/main.tsx): zod 4 probes `new Function('')` on its first
 * object parse to decide whether to compile fast parsers. Under the server's CSP
 * (`script-src 'self'`, no 'unsafe-eval') that probe fails and Chromium reports a
 * `securitypolicyviolation` on every page load. `jitless` skips the probe and the compilation;
 * parsing works the same.
 */
import { z } from 'zod';

z.config({ jitless: true });
