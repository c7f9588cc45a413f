/**
 * Invites as people expect them (issue #13): the caller can take an invite back, and an
 * invite names who else is in the call. Spread into commandSchema and sessionEventSchema
 * (protocol/api.ts).
 */
import * as z from 'zod';
import { hexId } from './hex-id.js';

/**
 * The names of the call's other members, as the inviter says (not proven: a member's own
 * name is what its authenticated hello says, once we are in the call with it).
 */
export const inviteMembersSchema = z.array(z.string()).optional();

export const INVITE_COMMANDS = [
  /** Takes back our unanswered invite to a peer: it is told, and we get `invite-withdrawn`. */
  z.strictObject({ cmd: z.literal('cancel-invite'), peer: hexId }),
] as const;

export const INVITE_EVENTS = [
  /** Our invite to `peer` was taken back (`cancel-invite`); the invitee got `invite-cancelled`. */
  z.object({ event: z.literal('invite-withdrawn'), call: z.string(), peer: z.string() }),
] as const;
