/**
 * Imported first by the core modules that build schemas. zod compiles fast object parsers with `new Function` and,
 * to learn whether it may, calls `Function('')` as the first object schema is built. Under Hall's
 * Content-Security-Policy (no 'unsafe-eval') a browser refuses that probe and reports it as a violation, so in a
 * browser zod is told not to try; parsing gives the same results either way, and the server keeps the compiled
 * parsers. (package.json lists this file under `sideEffects`, so bundlers that drop core's pure modules keep it.)
 */
import { z } from 'zod';

if (typeof (globalThis as { document?: unknown }).document !== 'undefined') z.config({ jitless: true });
