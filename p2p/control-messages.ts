import { z } from 'zod';
import { HEX_ID } from './ids.js';
import { MAX_CHAT_LENGTH } from './limits.js';

/** Messages on a link's reliable, ordered control channel (sealed with the pairwise keys). */
export const controlMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('ping'), ts: z.number() }),
  // `now` is the answerer's clock when it answered: with the round trip it gives the
  // clock offset that turns a remote capture time into a local latency.
  z.strictObject({ t: z.literal('pong'), ts: z.number(), now: z.number() }),
  z.strictObject({
    t: z.literal('chat'),
    id: z.string().regex(HEX_ID),
    ts: z.number().int().nonnegative(),
    clock: z.number().int().nonnegative(),
    text: z.string().min(1).max(MAX_CHAT_LENGTH),
  }),
  z.strictObject({ t: z.literal('bye') }),
  /** The sender's own media key: every frame it sends is sealed once with it. */
  z.strictObject({
    t: z.literal('media-key'),
    keyId: z.number().int().min(0).max(0xffffffff),
    key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  }),
  /** What a receiver saw of our frames lately: drives the sender's quality and size. */
  z.strictObject({
    t: z.literal('media-report'),
    received: z.number().int().nonnegative(),
    lost: z.number().int().nonnegative(),
    latencyMs: z.number().nonnegative().nullable(),
  }),
  /** The sender turned its video on or off (a receiver then stops expecting frames). */
  z.strictObject({ t: z.literal('video-state'), enabled: z.boolean() }),
]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;
