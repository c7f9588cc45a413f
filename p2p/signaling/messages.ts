import { z } from 'zod';
import { HEX_ID } from '../base/ids.js';
import {
  MAX_CANDIDATE_LENGTH,
  MAX_MEMBERS,
  MAX_NAME_LENGTH,
  MAX_SDP_LENGTH,
  PROTOCOL_VERSION,
} from '../base/limits.js';

const id = z.string().regex(HEX_ID);
const name = z.string().min(1).max(MAX_NAME_LENGTH);
const port = z.number().int().min(1).max(65535);
const base64Key = z
  .string()
  .length(44)
  .regex(/^[A-Za-z0-9+/]{43}=$/);

const signature = z
  .string()
  .length(88)
  .regex(/^[A-Za-z0-9+/]{86}==$/);

/**
 * A member's signed word that `invitee` may be in `call` (see p2p/call/admission.ts): the
 * member's admission epoch when it signed, an expiry (ms since the epoch, the signer's clock)
 * and a nonce that each member accepts once.
 */
export const ticketSchema = z.strictObject({
  inviter: id,
  epoch: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  expires: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  nonce: id,
  sig: signature,
});
export type WireTicket = z.infer<typeof ticketSchema>;

/**
 * A roster entry: a member and the gossiper's fresh ticket for it. No name: a member's name
 * is the one it gives in its own authenticated hello, never what someone else says.
 */
export const rosterEntrySchema = z.strictObject({
  id,
  publicKey: base64Key,
  /** How the gossiper reaches the member (it may be empty). */
  host: z.string().max(253),
  port,
  ticket: ticketSchema,
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

/** Who the sender is in the call with, and its admission epoch. */
export const rosterSchema = z.strictObject({
  epoch: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  members: z.array(rosterEntrySchema).max(MAX_MEMBERS),
});
export type Roster = z.infer<typeof rosterSchema>;

/** Messages sealed on a signaling connection, after the key exchange. */
export const signalingMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('hello'), v: z.literal(PROTOCOL_VERSION), name, port }),
  /**
   * No ticket and no roster: a peer learns those only once it accepts. `members`: the names
   * of the call's other members, as the inviter claims them, so the invitee sees who is in
   * the call (left out when the inviter is alone).
   */
  z.strictObject({
    t: z.literal('invite'),
    call: id,
    members: z.array(name).min(1).max(MAX_MEMBERS).optional(),
  }),
  z.strictObject({ t: z.literal('accept'), call: id }),
  /** The inviter's answer to accept: the invitee's ticket, and whom to join with it. */
  z.strictObject({ t: z.literal('admit'), call: id, ticket: ticketSchema, roster: rosterSchema }),
  z.strictObject({ t: z.literal('decline'), call: id, reason: z.string().max(200) }),
  z.strictObject({ t: z.literal('cancel'), call: id }),
  z.strictObject({ t: z.literal('join'), call: id, ticket: ticketSchema }),
  z.strictObject({
    t: z.literal('offer'),
    call: id,
    link: z.number().int().min(0).max(0xffff),
    sdp: z.string().max(MAX_SDP_LENGTH),
  }),
  z.strictObject({
    t: z.literal('answer'),
    call: id,
    link: z.number().int().min(0).max(0xffff),
    sdp: z.string().max(MAX_SDP_LENGTH),
  }),
  z.strictObject({
    t: z.literal('candidate'),
    call: id,
    link: z.number().int().min(0).max(0xffff),
    candidate: z.string().max(MAX_CANDIDATE_LENGTH),
    mid: z.string().max(32),
  }),
  z.strictObject({ t: z.literal('bye'), call: id }),
  z.strictObject({ t: z.literal('ping') }),
  z.strictObject({ t: z.literal('pong') }),
]);
export type SignalingMessage = z.infer<typeof signalingMessageSchema>;
export type LinkSignal = Extract<SignalingMessage, { t: 'offer' | 'answer' | 'candidate' }>;

/** Plaintext reason sent before closing a connection whose key exchange failed. */
export const abortSchema = z.strictObject({
  code: z.string().max(64),
  message: z.string().max(300),
});
