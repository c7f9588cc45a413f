/**
 * The call's statistics as the session API reports them (`stats` events, protocol/api.ts):
 * what we send and what arrives from each member.
 */
import * as z from 'zod';

/** What we send, as stats report it (p2p/media/sender.ts: MediaSenderStats without sealMs). */
export const sendingStatsViewSchema = z.object({
  fps: z.number(),
  kbps: z.number(),
  quality: z.number(),
  scale: z.number(),
  width: z.number(),
  height: z.number(),
  /** Frames a link could not take because the previous one was still queued. */
  skipped: z.number(),
  /** Id of the media key frames are sealed with now (changes at every rotation). */
  keyId: z.number(),
  /** Keyframes asked of the encoder (members joined, switched layers or lost frames). */
  keyframesForced: z.number(),
  /** Per member, the layer (0 = best) it gets now; null while waiting for a keyframe. */
  layers: z.array(z.object({ peer: z.string(), layer: z.number().nullable() })),
});
export type SendingStatsView = z.infer<typeof sendingStatsViewSchema>;

/** Our own voice, as stats report it. */
export const sendingAudioStatsViewSchema = z.object({
  /** Voice packets sent (to any member) since the call began. */
  packets: z.number(),
  kbps: z.number(),
  muted: z.boolean(),
});
export type SendingAudioStatsView = z.infer<typeof sendingAudioStatsViewSchema>;

/** One member's voice as it plays here (after the jitter buffer and loss concealment). */
export const memberAudioStatsViewSchema = z.object({
  packets: z.number(),
  /** Packets that never arrived or arrived too late to play (sequence gaps). */
  lost: z.number(),
  /** Playout time filled by our concealment instead of the member's audio. */
  concealedMs: z.number(),
  /** Arrival jitter: 95th percentile over the last 2 s. */
  jitterMs: z.number(),
  /** What the jitter buffer holds now. */
  bufferMs: z.number(),
  /** Level of the latest packet in dBov: 0 is full scale, -127 silence. */
  level: z.number(),
  speaking: z.boolean(),
  /** Mouth to ear: capture on the member's machine to playout here, over the last 2 s. */
  delayP50Ms: z.number().nullable(),
  delayP95Ms: z.number().nullable(),
});
export type MemberAudioStatsView = z.infer<typeof memberAudioStatsViewSchema>;

/** What arrives from one member (p2p/call/call.ts: MemberMediaStats). */
export const memberStatsViewSchema = z.object({
  peer: z.string(),
  fps: z.number(),
  kbps: z.number(),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  received: z.number(),
  /** Frames lost on the way (incomplete or arrived after a newer one). */
  lost: z.number(),
  /** Chunks or frames rejected as malformed, forged or replayed. */
  rejected: z.number(),
  width: z.number(),
  height: z.number(),
  /** Codec and layer (0 = best) of the latest frame shown; null before any. */
  codec: z.enum(['h264', 'jpeg']).nullable(),
  layer: z.number().nullable(),
  /** Keyframes we asked this member for (each repeat counts). */
  keyframesRequested: z.number(),
  /** Frames that arrived but could not be decoded (their chain broke), never shown. */
  undecodable: z.number(),
  rttMs: z.number().nullable(),
  /** Control and chat messages this member sent beyond its budgets, dropped unread. */
  overBudget: z.number(),
  audio: memberAudioStatsViewSchema,
});
export type MemberStatsView = z.infer<typeof memberStatsViewSchema>;
