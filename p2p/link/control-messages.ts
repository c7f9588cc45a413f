import { z } from 'zod';
import { fromBase64 } from '../../crypto/index.js';
import { HEX_ID } from '../base/ids.js';
import { MAX_CHAT_LENGTH, MAX_NAME_LENGTH } from '../base/limits.js';
import { rosterSchema } from '../signaling/messages.js';
import { partyStateSchema } from '../party/party-state.js';
import { signedManifestSchema } from '../party/manifest.js';
import { reactionEmojiSchema } from '../../protocol/gesture-api.js';

const hexId = z.string().regex(HEX_ID);
const base64 = (length: number): z.ZodString =>
  z
    .string()
    .length(length)
    .regex(/^[A-Za-z0-9+/]+=*$/);

/**
 * A chat message as it travels, also when relayed: signed by its author, so a member can
 * pass on another's message (to a late joiner, after a link dropped) without being able
 * to alter or invent it.
 */
export const chatWireSchema = z.strictObject({
  id: hexId,
  from: hexId,
  name: z.string().min(1).max(MAX_NAME_LENGTH),
  pk: base64(44),
  ts: z.number().int().nonnegative(),
  clock: z.number().int().nonnegative(),
  text: z.string().min(1).max(MAX_CHAT_LENGTH),
  sig: base64(88),
});
export type ChatWire = z.infer<typeof chatWireSchema>;

/** The receiver decodes keys with fromBase64, which refuses non-canonical text by throwing. */
function isCanonicalBase64(text: string): boolean {
  try {
    fromBase64(text);
    return true;
  } catch {
    return false;
  }
}

export const MAX_HISTORY = 20_000;
export const CHAT_BATCH = 64;
/** Ids per chat-have message: keeps each well under a data-channel message's size limit. */
export const CHAT_HAVE_PAGE = 2000;

/** Indices per piece-request / piece-cancel / incremental piece-have. */
export const PIECE_BATCH = 64;
/** A bitfield of up to 1024 pieces (p2p/party/manifest.ts, MAX_PIECES) in base64. */
const MAX_BITFIELD_BASE64 = 172;

/** A watch party's piece exchange (p2p/party/swarm.ts); the pieces themselves go on `bulk`. */
function pieceMessageSchemas() {
  const indices = z.array(z.number().int().min(0).max(0xffff)).min(1).max(PIECE_BATCH);
  const party = hexId;
  return [
    /** What the sender holds: its whole bitfield when a link opens, then each new index. */
    z.strictObject({
      t: z.literal('piece-have'),
      party,
      bits: z.string().max(MAX_BITFIELD_BASE64).refine(isCanonicalBase64).optional(),
      indices: indices.optional(),
    }),
    z.strictObject({ t: z.literal('piece-request'), party, indices }),
    z.strictObject({ t: z.literal('piece-cancel'), party, indices }),
  ] as const;
}

/** Messages on a link's reliable, ordered control channel (sealed with the pairwise keys). */
export const controlMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('ping'), ts: z.number() }),
  // `now` is the answerer's clock when it answered: with the round trip it gives the
  // clock offset that turns a remote capture time into a local latency.
  z.strictObject({ t: z.literal('pong'), ts: z.number(), now: z.number() }),
  z.strictObject({ t: z.literal('chat'), message: chatWireSchema }),
  /** On every link that opens: the ids we hold, so the other side sends what we miss. */
  z.strictObject({ t: z.literal('chat-have'), ids: z.array(hexId).max(CHAT_HAVE_PAGE) }),
  /** Answer to a chat-have listing ids we lack: send us these. */
  z.strictObject({ t: z.literal('chat-want'), ids: z.array(hexId).max(CHAT_HAVE_PAGE) }),
  z.strictObject({ t: z.literal('chat-batch'), messages: z.array(chatWireSchema).max(CHAT_BATCH) }),
  /** Who the sender is in the call with (each with a fresh ticket), so every roster converges. */
  z.strictObject({ t: z.literal('roster'), roster: rosterSchema }),
  z.strictObject({ t: z.literal('bye') }),
  /** The sender's own media key: every frame it sends is sealed once with it. */
  z.strictObject({
    t: z.literal('media-key'),
    keyId: z.number().int().min(0).max(0xffffffff),
    key: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/)
      .refine(isCanonicalBase64, 'not canonical base64'),
  }),
  /** What a receiver saw of our frames lately: drives the sender's quality and size. */
  z.strictObject({
    t: z.literal('media-report'),
    received: z.number().int().nonnegative(),
    lost: z.number().int().nonnegative(),
    latencyMs: z.number().nonnegative().nullable(),
    /** The standing queue our voice met (ms above its base delay); absent without voice. */
    queueMs: z.number().nonnegative().nullable().optional(),
    /** Our video as it arrived, kbit/s (with queueMs: what the path carries). */
    kbps: z.number().nonnegative().optional(),
  }),
  /** The sender turned its video on or off (a receiver then stops expecting frames). */
  z.strictObject({ t: z.literal('video-state'), enabled: z.boolean() }),
  /** The sender muted (sends no voice at all) or unmuted: on change and on every link open. */
  z.strictObject({ t: z.literal('mute-state'), muted: z.boolean() }),
  /** The sender's display name: on a rename and on every link open (hellos may predate it). */
  z.strictObject({
    t: z.literal('name'),
    name: z.string().min(1).max(MAX_NAME_LENGTH).regex(/\S/),
  }),
  /** The sender raised or lowered its hand: on change and on every link open. */
  z.strictObject({ t: z.literal('hand'), raised: z.boolean() }),
  /** A reaction of the sender's, one of a fixed few (rate-limited per member on arrival). */
  z.strictObject({ t: z.literal('reaction'), emoji: reactionEmojiSchema }),
  /** A receiver needs a keyframe of this stream (layer) of ours: it joined, switched or lost one. */
  z.strictObject({ t: z.literal('keyframe'), stream: z.number().int().min(0).max(0xff) }),
  /** What the sender's front end decodes (on every link open): we send it only those. */
  z.strictObject({
    t: z.literal('codecs'),
    decode: z
      .array(z.enum(['h264', 'jpeg']))
      .min(1)
      .max(2)
      .refine((list) => new Set(list).size === list.length, 'codecs listed twice'),
  }),
  ...pieceMessageSchemas(),
  /** Watch party (p2p/party/call-party.ts): a share, the replicated state, waits, the end. */
  z.strictObject({ t: z.literal('party-manifest'), manifest: signedManifestSchema }),
  z.strictObject({ t: z.literal('party-state'), state: partyStateSchema }),
  z.strictObject({ t: z.literal('party-buffering'), party: hexId, buffering: z.boolean() }),
  z.strictObject({ t: z.literal('party-end'), party: hexId, reason: z.string().max(200) }),
]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;
export type GestureMessage = Extract<ControlMessage, { t: 'hand' | 'reaction' }>;
export type PieceMessage = Extract<ControlMessage, { t: `piece-${string}` }>;
