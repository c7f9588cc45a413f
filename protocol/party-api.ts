/**
 * The watch party's part of the session API (issue #12): commands and events exactly as the
 * issue lists them, spread into commandSchema and sessionEventSchema (protocol/api.ts).
 */
import * as z from 'zod';

const path = z.string().min(1).max(4096);

export const PARTY_COMMANDS = [
  z.strictObject({
    cmd: z.literal('party-share'),
    path,
    subtitles: z.array(path).max(16).optional(),
  }),
  z.strictObject({ cmd: z.literal('party-play') }),
  z.strictObject({ cmd: z.literal('party-pause') }),
  z.strictObject({ cmd: z.literal('party-seek'), position: z.number().nonnegative().max(864_000) }),
  z.strictObject({ cmd: z.literal('party-rate'), rate: z.number().min(0.25).max(4) }),
  z.strictObject({ cmd: z.literal('party-stop') }),
  z.strictObject({ cmd: z.literal('party-status') }),
  /** The page's player cannot keep up (or caught up): the group waits for it, within bounds. */
  z.strictObject({ cmd: z.literal('party-buffering'), buffering: z.boolean() }),
] as const;

export type PartyCommandName = (typeof PARTY_COMMANDS)[number]['shape']['cmd']['value'];
export const PARTY_COMMAND_NAMES: ReadonlySet<string> = new Set(
  PARTY_COMMANDS.map((schema) => schema.shape.cmd.value),
);

export const PARTY_EVENTS = [
  /** Probing, remuxing or transcoding the file to share. */
  z.object({ event: z.literal('party-preparing'), percent: z.number() }),
  z.object({
    event: z.literal('party-state'),
    party: z.string(),
    epoch: z.number(),
    streamer: z.string(),
    title: z.string(),
    duration: z.number(),
    paused: z.boolean(),
    /** Seconds into the film now (the virtual player's position when the event was made). */
    position: z.number(),
    /** When `position` was true: ms since the epoch on this node's clock (a page shares it). */
    sampledAt: z.number(),
    rate: z.number(),
    updatedBy: z.string(),
    /** The labels of the subtitle tracks the streamer attached, in order (may be empty). */
    subtitles: z.array(z.string()),
  }),
  z.object({
    event: z.literal('party-progress'),
    party: z.string(),
    have: z.number(),
    total: z.number(),
    received: z.record(z.string(), z.number()),
    uploaded: z.number(),
  }),
  /** Every piece is here; the sha256 is of the assembled file. */
  z.object({ event: z.literal('party-complete'), party: z.string(), sha256: z.string() }),
  z.object({ event: z.literal('party-ended'), party: z.string(), reason: z.string() }),
] as const;
