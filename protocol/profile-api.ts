/**
 * Our display name (issue #13): the `set-name` command and `name-changed` event of the
 * session API, spread into commandSchema and sessionEventSchema (protocol/api.ts). The same
 * bounds hold for `--name`, the mDNS advert, the signaling hello and the `name` control message.
 */
import * as z from 'zod';

/** Longest display name, in UTF-16 code units (what every schema on the way measures). */
export const MAX_NAME_LENGTH = 64;

/** A display name as a person types it: surrounding spaces go, something must remain. */
export const displayNameSchema = z.string().trim().min(1).max(MAX_NAME_LENGTH);

export const PROFILE_COMMANDS = [
  /** Renames us: saved in the data folder, re-announced on mDNS, told to every call member. */
  z.strictObject({ cmd: z.literal('set-name'), name: displayNameSchema }),
] as const;

export type ProfileCommand = z.infer<(typeof PROFILE_COMMANDS)[number]>;

export function isProfileCommand(command: { cmd: string }): command is ProfileCommand {
  return command.cmd === 'set-name';
}

export const PROFILE_EVENTS = [
  /** Our own name changed (every front end of this node shows it). */
  z.object({ event: z.literal('name-changed'), name: z.string() }),
] as const;
