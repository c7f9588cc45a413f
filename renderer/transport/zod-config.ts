/**
 * zod's settings for the page. The page's CSP forbids eval, and zod (unless jitless) probes
 * `new Function` as it builds its first object schema: the browser reports that probe as a
 * CSP violation even though zod catches it. The setting must be in place before any schema
 * of protocol/ is built, so the entry point (renderer/main.tsx) imports this module first.
 * The node keeps zod's compiled fast path.
 */
import * as z from 'zod';

z.config({ jitless: true });
