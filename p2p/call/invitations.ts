import type { MeshError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { TokenBuckets } from '../base/token-buckets.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { AuthenticatedPeer, SignalingConnection } from '../signaling/connection.js';
import type { SignalingMessage } from '../signaling/messages.js';
import type { CallEndedReason } from '../../protocol/api.js';

export type InviteMessage = Extract<SignalingMessage, { t: 'invite' }>;

export interface IncomingInvite {
  call: string;
  /** Who invited us (first inviter); more members may invite us to the same call at once. */
  from: string;
  connection: SignalingConnection;
  /** Every member that invited us to this call, with its connection. */
  inviters: Map<string, { connection: SignalingConnection }>;
  /** The names of the call's other members, as the first inviter claims them. */
  members: string[];
}

interface OutgoingInvite {
  call: string;
  connection: SignalingConnection;
  timer: NodeJS.Timeout;
}

/** Invites a peer may send in a burst, and how fast it earns new ones (per second). */
const INVITE_BURST = 3;
const INVITES_PER_SECOND = 0.1;
/** Invites to us waiting for an answer, from everyone together. */
const MAX_PENDING_INCOMING = 32;

export interface InvitationsEvents {
  /**
   * Invited to a call we had not heard of (more inviters to it are folded in quietly); we may
   * be in another call meanwhile (the invite waits for an answer all the same).
   */
  invite: [{ call: string; from: AuthenticatedPeer; members: string[] }];
  'invite-sent': [{ call: string; peer: string }];
  'invite-declined': [{ call: string; peer: string; reason: string }];
  'invite-cancelled': [{ call: string; from: string }];
  'invite-timeout': [{ call: string; peer: string; name: string }];
  /** An invite of ours ended without the peer coming in: our call may be empty now. */
  unanswered: [CallEndedReason];
}

/**
 * Invites both ways, on the signaling connections they came on: ours until answered or
 * given up (after `timeoutMs`), theirs until we accept, decline, or the inviter cancels or
 * disappears. Remembers whom we are dialing to invite, so crossing invites can be told.
 */
export class Invitations extends TypedEmitter<InvitationsEvents> {
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #budget: TokenBuckets;
  #refused = 0;
  readonly #incoming = new Map<string, IncomingInvite>();
  readonly #outgoing = new Map<string, OutgoingInvite>();
  /** Invites being sent (before the connection is up), to spot two peers inviting each other. */
  readonly #dialing = new Map<string, string>();
  #closed = false;

  constructor(options: { logger: Logger; timeoutMs?: number | undefined }) {
    super({ logger: options.logger });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#log = options.logger;
    this.#budget = new TokenBuckets({ burst: INVITE_BURST, perSecond: INVITES_PER_SECOND });
  }

  /** Incoming invites declined as 'busy' for flooding (rate, one pending per peer, total). */
  get refused(): number {
    return this.#refused;
  }

  // ---- ours -------------------------------------------------------------------------------

  /** The call we invited `peerId` to and wait for an answer on, if any. */
  outgoingCall(peerId: string): string | null {
    return this.#outgoing.get(peerId)?.call ?? null;
  }

  /** True while an invite to `callId` waits for an answer. */
  awaiting(callId: string): boolean {
    return [...this.#outgoing.values()].some((invite) => invite.call === callId);
  }

  /** We are reaching `peerId` to invite it into `callId`. */
  dialing(peerId: string, callId: string): void {
    if (!this.#closed) this.#dialing.set(peerId, callId);
  }

  dialFailed(peerId: string, callId: string): void {
    if (this.#dialing.get(peerId) === callId) this.#dialing.delete(peerId);
  }

  /** True if we are inviting `peerId` into `callId` (so its invite to us crosses ours). */
  crosses(peerId: string, callId: string): boolean {
    return this.#dialing.get(peerId) === callId;
  }

  send(connection: SignalingConnection, invite: InviteMessage): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    connection.enableKeepalive();
    const timer = setTimeout(() => {
      const pending = this.#outgoing.get(peer.id);
      if (this.#closed || pending?.timer !== timer) return;
      this.#outgoing.delete(peer.id);
      connection.send({ t: 'cancel', call: invite.call });
      this.emit('invite-timeout', { call: invite.call, peer: peer.id, name: peer.name });
      this.emit('unanswered', 'no answer');
    }, this.#timeoutMs);
    this.#outgoing.set(peer.id, { call: invite.call, connection, timer });
    connection.send(invite);
    this.emit('invite-sent', { call: invite.call, peer: peer.id });
  }

  /**
   * The user takes back the invite to `peerId`: the peer is told (`cancel`). Returns the
   * call it was for, or null if none waits for an answer.
   */
  cancel(peerId: string): string | null {
    const invite = this.#outgoing.get(peerId);
    if (this.#closed || !invite) return null;
    clearTimeout(invite.timer);
    this.#outgoing.delete(peerId);
    invite.connection.send({ t: 'cancel', call: invite.call });
    this.emit('unanswered', 'left');
    return invite.call;
  }

  /** An answered invite (accept, or the invitee joining through someone else). */
  settle(peerId: string, callId: string): void {
    const invite = this.#outgoing.get(peerId);
    if (!invite || invite.call !== callId) return;
    clearTimeout(invite.timer);
    this.#outgoing.delete(peerId);
  }

  /** We are leaving `callId`: withdraw every invite to it. */
  withdraw(callId: string): void {
    for (const [peerId, invite] of this.#outgoing) {
      if (invite.call !== callId) continue;
      clearTimeout(invite.timer);
      invite.connection.send({ t: 'cancel', call: callId });
      this.#outgoing.delete(peerId);
    }
    this.#dialing.clear();
  }

  // ---- theirs -----------------------------------------------------------------------------

  /**
   * An invite to a call we are not in (we may be in another: it waits); reported once per
   * call, however many invite us. A peer has at most one invite pending with us and a small
   * budget of invites; beyond that (or with too many pending from everyone) the invite is
   * declined as busy.
   */
  receive(connection: SignalingConnection, invite: InviteMessage): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    const existing = this.#incoming.get(invite.call);
    if (existing?.inviters.has(peer.id)) return;
    const why = this.#flooding(peer.id);
    if (why) {
      this.#refused += 1;
      this.#log.warn('invite refused', { peer: peer.id, reason: why, refused: this.#refused });
      connection.send({ t: 'decline', call: invite.call, reason: 'busy' });
      return;
    }
    if (existing) {
      existing.inviters.set(peer.id, { connection });
      return;
    }
    this.keep(connection, invite);
    this.emit('invite', { call: invite.call, from: peer, members: invite.members ?? [] });
  }

  /** Keeps an invite without reporting it (we accept it on our own right away). */
  keep(connection: SignalingConnection, invite: InviteMessage): void {
    const from = connection.peer?.id;
    if (this.#closed || !from) return;
    connection.enableKeepalive();
    this.#incoming.set(invite.call, {
      call: invite.call,
      from,
      connection,
      inviters: new Map([[from, { connection }]]),
      members: invite.members ?? [],
    });
  }

  incoming(callId: string): IncomingInvite | null {
    return this.#incoming.get(callId) ?? null;
  }

  /** Removes and returns the invite to `callId` (to accept it). */
  take(callId: string): IncomingInvite | null {
    const invite = this.#incoming.get(callId) ?? null;
    this.#incoming.delete(callId);
    return invite;
  }

  /** False if there is no such invite. */
  decline(callId: string, reason: string): boolean {
    const invite = this.take(callId);
    invite?.connection.send({ t: 'decline', call: callId, reason });
    return invite !== null;
  }

  #flooding(peerId: string): string | null {
    const pending = [...this.#incoming.values()];
    if (pending.some((invite) => invite.inviters.has(peerId)))
      return 'already has an invite pending';
    if (pending.length >= MAX_PENDING_INCOMING) return 'too many invites pending';
    if (!this.#budget.take(peerId)) return 'invite rate exceeded';
    return null;
  }

  // ---- what the peers say -------------------------------------------------------------------

  onDecline(peerId: string, callId: string, reason: string): void {
    const invite = this.#outgoing.get(peerId);
    if (this.#closed || !invite || invite.call !== callId) return;
    clearTimeout(invite.timer);
    this.#outgoing.delete(peerId);
    this.emit('invite-declined', { call: callId, peer: peerId, reason });
    this.emit('unanswered', 'declined');
  }

  /** The inviter withdrew (cancel, or a bye for the call). */
  onCancel(peerId: string, callId: string): void {
    const invite = this.#incoming.get(callId);
    if (this.#closed || !invite || invite.from !== peerId) return;
    this.#incoming.delete(callId);
    this.emit('invite-cancelled', { call: callId, from: peerId });
  }

  onConnectionClosed(connection: SignalingConnection, error: MeshError | null): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    for (const [callId, invite] of this.#incoming) {
      if (invite.connection !== connection) continue;
      this.#incoming.delete(callId);
      this.emit('invite-cancelled', { call: callId, from: peer.id });
    }
    const outgoing = this.#outgoing.get(peer.id);
    if (outgoing?.connection !== connection) return;
    clearTimeout(outgoing.timer);
    this.#outgoing.delete(peer.id);
    this.emit('invite-declined', {
      call: outgoing.call,
      peer: peer.id,
      reason: `unreachable: ${error?.message ?? 'connection closed'}`,
    });
    this.emit('unanswered', 'no answer');
  }

  /** True while `connection` carries an invite either way. */
  needs(connection: SignalingConnection): boolean {
    const id = connection.peer?.id;
    if (id && this.#outgoing.get(id)?.connection === connection) return true;
    return [...this.#incoming.values()].some((invite) => invite.connection === connection);
  }

  /** Idempotent: forgets every invite, without a word to the peers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const invite of this.#outgoing.values()) clearTimeout(invite.timer);
    this.#outgoing.clear();
    this.#incoming.clear();
    this.#dialing.clear();
    this.removeAllListeners();
  }
}
