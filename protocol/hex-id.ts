import * as z from 'zod';

/** A peer or call id on the session API: 32 lowercase hex digits. */
export const hexId = z.string().regex(/^[0-9a-f]{32}$/, 'expected a 32-digit hex id');
