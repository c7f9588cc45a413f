import { z } from 'zod';
import { HEX_ID } from './ids.js';
import { MAX_CHAT_LENGTH } from './limits.js';

/** Messages on a link's reliable, ordered control channel (sealed with the pairwise keys). */
export const controlMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('ping'), ts: z.number() }),
  z.strictObject({ t: z.literal('pong'), ts: z.number() }),
  z.strictObject({
    t: z.literal('chat'),
    id: z.string().regex(HEX_ID),
    ts: z.number().int().nonnegative(),
    clock: z.number().int().nonnegative(),
    text: z.string().min(1).max(MAX_CHAT_LENGTH),
  }),
  z.strictObject({ t: z.literal('bye') }),
]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;
