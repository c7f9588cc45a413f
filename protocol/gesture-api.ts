/**
 * Raise hand and reactions (issue #13): the commands and events of the session API, spread
 * into commandSchema and sessionEventSchema (protocol/api.ts). Members send the same gestures
 * to each other on their links' control channels (p2p/link/control-messages.ts).
 */
import * as z from 'zod';

/**
 * The reactions a member may send: a fixed list, so no peer can float arbitrary text over
 * someone's tile, and every front end can name each one for screen readers.
 */
export const REACTION_EMOJI = ['👍', '👏', '❤️', '😂', '😮', '🎉'] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];
export const reactionEmojiSchema = z.enum(REACTION_EMOJI);

export const GESTURE_COMMANDS = [
  /** Raises or lowers our hand; every member is told, and so are we (`hand`, our own id). */
  z.strictObject({ cmd: z.literal('hand'), raised: z.boolean() }),
  /** A reaction every member shows briefly over our tile (and we over our own). */
  z.strictObject({ cmd: z.literal('react'), emoji: reactionEmojiSchema }),
] as const;

export type GestureCommand = z.infer<(typeof GESTURE_COMMANDS)[number]>;
const GESTURE_COMMAND_NAMES: ReadonlySet<string> = new Set(
  GESTURE_COMMANDS.map((schema) => schema.shape.cmd.value),
);

export function isGestureCommand(command: { cmd: string }): command is GestureCommand {
  return GESTURE_COMMAND_NAMES.has(command.cmd);
}

export const GESTURE_EVENTS = [
  /** A member (or we: our own id) raised or lowered a hand; a member who leaves lowers it. */
  z.object({ event: z.literal('hand'), peer: z.string(), raised: z.boolean() }),
  z.object({ event: z.literal('reaction'), peer: z.string(), emoji: reactionEmojiSchema }),
] as const;
