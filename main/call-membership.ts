import type { IdentityKeys } from '../crypto/index.js';
import {
  fromBase64,
  peerIdFromPublicKey,
  safetyCode,
  signStatement,
  toBase64,
  verifyStatement,
} from '../crypto/index.js';
import type { MemberView } from '../p2p/call/call.js';
import { Call } from '../p2p/call/call.js';
import type { ConnectionPool, Endpoint } from '../p2p/signaling/connection-pool.js';
import { MeshError, errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import type { ReceivedFrame } from '../p2p/media/receiver.js';
import { PeerLink } from '../p2p/link/peer-link.js';
import type { EncodeTarget } from '../p2p/media/quality-controller.js';
import type { SignalingConnection } from '../p2p/signaling/connection.js';
import type { MemberInfo, SignalingMessage } from '../p2p/signaling/messages.js';
import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type { CallEndedReason, MemberEventView } from '../protocol/api.js';
import type { ApiReports } from './api-reports.js';
import { CommandError } from './command-error.js';
import type { PeerDirectory } from './peer-directory.js';

/** The membership's events that are API events as they stand. */
export const MEMBERSHIP_API_EVENTS = [
  'invite-sent',
  'invite-declined',
  'invite-cancelled',
  'call-joined',
  'member-joined',
  'member-state',
  'member-left',
  'chat',
  'video-state',
] as const;

export type CallMembershipEvents = ApiReports<
  (typeof MEMBERSHIP_API_EVENTS)[number] | 'invite' | 'call-ended'
> & {
  /** We are in a call now (created, or accepted): media should flow. */
  'call-started': [];
  'invite-timeout': [{ call: string; peer: string; name: string }];
  /** Accepting on our own (crossing invites merged) failed as the accept command would. */
  'accept-failed': [unknown];
  frame: [ReceivedFrame];
  /** Congestion control asks the capture for another quality or size. */
  'encode-target': [EncodeTarget];
};

/** What the membership reads of the peer list; it never changes it. */
export type PeerLookup = Pick<
  PeerDirectory,
  'endpoints' | 'view' | 'trustOf' | 'publicKeyOf' | 'isVerified'
>;

/** The current call's chat and media, for the session; who is in it stays ours to decide. */
export type CallContent = Pick<
  Call,
  'id' | 'history' | 'sendChat' | 'sendFrame' | 'announceVideo' | 'latestFrame' | 'mediaStats'
>;

export interface CallMembershipOptions {
  id: string;
  name: string;
  identity: IdentityKeys;
  pool: ConnectionPool;
  peers: PeerLookup;
  /** Our signaling port, as rosters tell the other members how to reach us. */
  signalingPort: () => number;
  logger: Logger;
  inviteTimeoutMs?: number | undefined;
  /** A member whose link is not up after this long is dropped from the call. */
  linkTimeoutMs?: number | undefined;
}

type InviteMessage = Extract<SignalingMessage, { t: 'invite' }>;

interface IncomingInvite {
  call: string;
  /** Who invited us (first inviter); more members may invite us to the same call at once. */
  from: string;
  connection: SignalingConnection;
  /** Every member that invited us to this call, with its connection and ticket. */
  inviters: Map<string, { connection: SignalingConnection; ticket: string }>;
  members: MemberInfo[];
}

/** Our proof of being let in: a member's signature over (call, our key). */
interface Admission {
  inviter: string;
  ticket: string;
}

interface OutgoingInvite {
  call: string;
  peer: string;
  connection: SignalingConnection;
  timer: NodeJS.Timeout;
}

interface MemberLink {
  connection: SignalingConnection;
  link: PeerLink | null;
  number: number | null;
  timer: NodeJS.Timeout;
}

/** A replacement link that is not up in this long is tried again (over a fresh connection). */
const RELINK_OPEN_TIMEOUT_MS = 2000;

/** A member's signature over (call, joiner key); false for anything malformed or forged. */
function ticketValid(
  inviterKey: Uint8Array,
  callId: string,
  joinerKey: Uint8Array,
  ticket: string,
): boolean {
  try {
    return verifyStatement(
      inviterKey,
      'join-ticket',
      [callId, toBase64(joinerKey)],
      fromBase64(ticket),
    );
  } catch {
    return false;
  }
}

function isRefused(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
}

/**
 * Who is in our call and how they got there, on the signaling side: invites both ways,
 * join tickets, and one signaling connection and link per member (offers, answers,
 * candidates, relinks). Owns the current Call; close() leaves it.
 */
export class CallMembership extends TypedEmitter<CallMembershipEvents> {
  readonly #id: string;
  readonly #options: CallMembershipOptions;
  readonly #identity: IdentityKeys;
  readonly #pool: ConnectionPool;
  readonly #peers: PeerLookup;
  readonly #log: Logger;
  readonly #incoming = new Map<string, IncomingInvite>();
  readonly #outgoing = new Map<string, OutgoingInvite>();
  readonly #memberLinks = new Map<string, MemberLink>();
  readonly #usedLinkNumbers = new WeakMap<SignalingConnection, Set<number>>();
  #call: Call | null = null;
  #callAnnounced = false;
  /** Invites being sent (before the connection is up), to spot two peers inviting each other. */
  readonly #inviting = new Map<string, string>();
  /** Members for which a re-link attempt is under way (one at a time per member). */
  readonly #relinking = new Set<string>();
  /** How we got into the current call, shown to members we join later. */
  #admission: Admission | null = null;
  #closed = false;

  constructor(options: CallMembershipOptions) {
    super({ logger: options.logger });
    this.#id = options.id;
    this.#options = options;
    this.#identity = options.identity;
    this.#pool = options.pool;
    this.#peers = options.peers;
    this.#log = options.logger;
  }

  get call(): CallContent | null {
    return this.#call;
  }

  /** The other members of the current call, as front ends show them. */
  memberViews(): MemberEventView[] {
    return this.#call ? this.#call.members().map((member) => this.#memberView(member)) : [];
  }

  /** Idempotent: leaves the call; resolves when every member got our bye (or the grace ran out). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const leaving = this.#leaveCall('quit');
    this.#closed = true;
    for (const invite of this.#outgoing.values()) clearTimeout(invite.timer);
    this.removeAllListeners();
    return leaving;
  }

  /** Takes part in a new signaling connection: its messages and its end concern the call. */
  adopt(connection: SignalingConnection): void {
    const peer = connection.peer;
    if (!peer) return;
    connection.on('message', (message) => {
      try {
        this.#onSignal(connection, message);
      } catch (err) {
        this.#log.error('signaling handler failed', { peer: peer.id, reason: errorText(err) });
      }
    });
    connection.on('close', (error) => this.#onConnectionClosed(connection, error));
  }

  /** True while `connection` carries a member's signaling or a pending invite. */
  needs(connection: SignalingConnection): boolean {
    const id = connection.peer?.id;
    if (!id) return false;
    if (this.#memberLinks.get(id)?.connection === connection) return true;
    if (this.#outgoing.get(id)?.connection === connection) return true;
    return [...this.#incoming.values()].some((invite) => invite.connection === connection);
  }

  // ---- what the user asks ---------------------------------------------------------------

  /** Invites a listed peer into our call, starting one if we are in none. */
  async invite(peerId: string): Promise<void> {
    if (peerId === this.#id) throw new CommandError('ERR_UNKNOWN_PEER', 'cannot invite yourself');
    const view = this.#peers.view(peerId);
    if (!view) throw new CommandError('ERR_UNKNOWN_PEER', `no peer ${peerId} nearby`);
    if (view.trust === 'key-changed') {
      throw new CommandError(
        'ERR_KEY_CHANGED',
        `${view.name}'s key changed; compare safety codes and trust it before inviting`,
      );
    }
    if (this.#call?.hasMember(peerId)) {
      throw new CommandError('ERR_ALREADY_IN_CALL', `${view.name} is already in the call`);
    }
    if (this.#outgoing.has(peerId)) {
      throw new CommandError('ERR_ALREADY_IN_CALL', `${view.name} is already invited`);
    }
    const call = this.#call ?? this.#openCall(undefined);
    this.#inviting.set(peerId, call.id);
    let connection: SignalingConnection;
    try {
      connection = await this.#pool.connect(peerId, this.#peers.endpoints(peerId));
    } catch (err) {
      this.#inviting.delete(peerId);
      this.#endCallIfEmpty('no answer');
      throw err;
    }
    if (this.#closed || this.#call !== call || call.closed) return;
    connection.enableKeepalive();
    const timer = setTimeout(() => {
      const invite = this.#outgoing.get(peerId);
      if (!invite || invite.call !== call.id) return;
      this.#outgoing.delete(peerId);
      invite.connection.send({ t: 'cancel', call: call.id });
      this.emit('invite-timeout', { call: call.id, peer: peerId, name: view.name });
      this.#endCallIfEmpty('no answer');
    }, this.#options.inviteTimeoutMs ?? 60_000);
    this.#outgoing.set(peerId, { call: call.id, peer: peerId, connection, timer });
    const inviteeKey = connection.peer?.publicKey;
    if (!inviteeKey) return;
    connection.send({
      t: 'invite',
      call: call.id,
      members: this.#memberInfos(call),
      ticket: this.#ticketFor(call.id, inviteeKey),
    });
    this.emit('invite-sent', { call: call.id, peer: peerId });
  }

  accept(callId: string): void {
    const invite = this.#incoming.get(callId);
    if (!invite)
      throw new CommandError('ERR_NO_SUCH_INVITE', `no pending invite for call ${callId}`);
    if (this.#call) throw new CommandError('ERR_ALREADY_IN_CALL', 'leave the current call first');
    const open = [...invite.inviters.entries()].filter(([, v]) => v.connection.state === 'open');
    if (open.length === 0) {
      this.#incoming.delete(callId);
      throw new CommandError('ERR_CONNECTION_LOST', 'the inviter is gone');
    }
    this.#incoming.delete(callId);
    const call = this.#openCall(callId);
    this.#callAnnounced = false;
    const [firstInviter, first] = open[0] ?? [];
    if (firstInviter && first) this.#admission = { inviter: firstInviter, ticket: first.ticket };
    // Every member that invited us gets an accept; every other member a join.
    for (const [, { connection }] of open) {
      const peer = connection.peer;
      if (!peer) continue;
      connection.send({ t: 'accept', call: callId });
      this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
    }
    for (const member of invite.members) {
      if (member.id === this.#id || call.hasMember(member.id)) continue;
      this.#joinMember(call, member);
    }
  }

  decline(callId: string, reason: string): void {
    const invite = this.#incoming.get(callId);
    if (!invite)
      throw new CommandError('ERR_NO_SUCH_INVITE', `no pending invite for call ${callId}`);
    this.#incoming.delete(callId);
    invite.connection.send({ t: 'decline', call: callId, reason });
  }

  leave(): void {
    if (!this.#call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    // The call-ended event is out already; the hang-ups finish on their own.
    void this.#leaveCall('left');
  }

  // ---- the call -------------------------------------------------------------------------

  #openCall(id: string | undefined): Call {
    const call: Call = new Call({
      ...(id ? { id } : {}),
      local: {
        id: this.#id,
        name: this.#options.name,
        publicKey: this.#identity.publicKey,
        sign: (fields) => signStatement(this.#identity, 'chat', fields),
      },
      logger: this.#log,
      describeSelf: () => ({
        id: this.#id,
        name: this.#options.name,
        publicKey: toBase64(this.#identity.publicKey),
        host: '',
        port: this.#options.signalingPort(),
      }),
      describeMember: (memberId): MemberInfo | null => this.#memberInfo(call, memberId),
    });
    this.#call = call;
    this.#callAnnounced = id === undefined;
    // The call's creator vouches for itself; members it meets later check this like any ticket.
    this.#admission = {
      inviter: this.#id,
      ticket: this.#ticketFor(call.id, this.#identity.publicKey),
    };
    if (this.#callAnnounced) this.emit('call-joined', { call: call.id, members: [] });
    call.on('member-state', (member) => {
      this.emit('member-state', { call: call.id, ...this.#memberView(member) });
    });
    call.on('link-lost', (peerId) => this.#relink(call, peerId));
    call.on('roster', ({ members }) => {
      for (const member of members) {
        if (member.id === this.#id || call.hasMember(member.id) || call.hasLeft(member.id))
          continue;
        this.#joinMember(call, member);
      }
    });
    call.on('member-joined', (member) => {
      const view = this.#memberView(member);
      if (!this.#callAnnounced) {
        this.#callAnnounced = true;
        this.emit('call-joined', {
          call: call.id,
          members: call.members().map((m) => this.#memberView(m)),
        });
      } else {
        this.emit('member-joined', { call: call.id, ...view });
      }
    });
    call.on('member-left', (member, reason, error) => {
      this.#dropMemberLink(member.id);
      this.emit('member-left', {
        call: call.id,
        peer: member.id,
        name: member.name,
        reason,
        ...(error && reason !== 'left' ? { detail: error.message } : {}),
      });
    });
    call.on('chat', (message) => this.emit('chat', message));
    call.on('empty', () => this.#endCallIfEmpty('everyone left'));
    call.on('encode-target', (target) => this.emit('encode-target', target));
    call.on('video-state', ({ peer, enabled }) => this.emit('video-state', { peer, enabled }));
    call.on('frame', (frame) => this.emit('frame', frame));
    this.emit('call-started');
    return call;
  }

  /** Links us with a member we have not talked to yet, showing our ticket. */
  #joinMember(call: Call, member: MemberInfo): void {
    const admission = this.#admission;
    if (!admission || call.hasMember(member.id) || member.id === this.#id) return;
    let publicKey: Uint8Array;
    try {
      publicKey = fromBase64(member.publicKey);
    } catch {
      return;
    }
    if (peerIdFromPublicKey(publicKey) !== member.id) return;
    call.addMember({ id: member.id, name: member.name, publicKey });
    const endpoints = this.#peers.endpoints(member.id);
    if (member.host) endpoints.push({ host: member.host, port: member.port, publicKey });
    this.#pool
      .connect(member.id, endpoints)
      .then((connection) => {
        if (this.#call !== call || call.closed || !call.hasMember(member.id)) return;
        connection.send({ t: 'join', call: call.id, ...admission });
        this.#addMember(call, member.id, member.name, publicKey, connection);
      })
      .catch((err: unknown) => {
        this.#log.warn('could not reach a member to join', {
          peer: member.id,
          reason: errorText(err),
        });
        call.removeMember(member.id, 'failed', err instanceof MeshError ? err : null);
      });
  }

  /** Idempotent: a member already being linked keeps its link. */
  #addMember(
    call: Call,
    peerId: string,
    name: string,
    publicKey: Uint8Array,
    connection: SignalingConnection,
  ): void {
    call.addMember({ id: peerId, name, publicKey });
    connection.enableKeepalive();
    this.#settleOutgoing(peerId, call.id);
    const existing = this.#memberLinks.get(peerId);
    if (existing) {
      if (existing.connection.state !== 'open') existing.connection = connection;
      return;
    }
    const timer = setTimeout(() => {
      if (call.member(peerId)?.state !== 'connecting') return;
      call.removeMember(peerId, 'failed', new MeshError('ERR_LINK_FAILED', 'link did not come up'));
    }, this.#options.linkTimeoutMs ?? 15_000);
    this.#memberLinks.set(peerId, { connection, link: null, number: null, timer });
    // The lower id offers; the other side creates its link when the offer arrives.
    if (this.#id < peerId) this.#offerLink(call, peerId, connection);
  }

  #offerLink(call: Call, peerId: string, connection: SignalingConnection): void {
    const number = this.#claimLinkNumber(connection, null);
    if (number !== null) this.#startLink(call, peerId, connection, number, true);
  }

  /**
   * A member's link dropped or stalled: the offering side makes a new one, over a fresh
   * signaling connection (the old one may be stuck in TCP back-off after an outage), and
   * keeps trying every second until the call has a working link again or gives the
   * member up. The answering side waits for the offer.
   */
  #relink(call: Call, peerId: string, attempt = 0): void {
    if (this.#id > peerId || this.#relinking.has(peerId)) return;
    this.#relinking.add(peerId);
    const delay = attempt === 0 ? 0 : 1000;
    setTimeout(() => {
      void this.#relinkAttempt(call, peerId)
        .then((started) => {
          this.#relinking.delete(peerId);
          // A started link reports back through the call when it opens or fails.
          if (!started && this.#call === call && call.needsLink(peerId)) {
            this.#relink(call, peerId, attempt + 1);
          }
        })
        .catch(() => this.#relinking.delete(peerId));
    }, delay);
  }

  async #relinkAttempt(call: Call, peerId: string): Promise<boolean> {
    if (this.#closed || this.#call !== call || !call.needsLink(peerId)) return true;
    for (const endpoint of this.#memberEndpoints(call, peerId)) {
      try {
        const connection = await this.#pool.dialAddress(endpoint, 1000);
        const entry = this.#memberLinks.get(peerId);
        if (this.#call !== call || !entry || !call.needsLink(peerId)) return true;
        connection.enableKeepalive();
        entry.connection = connection;
        const number = this.#claimLinkNumber(connection, null);
        if (number === null) return false;
        this.#startLink(call, peerId, connection, number, true, RELINK_OPEN_TIMEOUT_MS);
        return true;
      } catch {
        // Try the next address; the caller schedules another round.
      }
    }
    return false;
  }

  /** Where a member can be reached: mDNS, a manual address, or where it last came from. */
  #memberEndpoints(call: Call, peerId: string): Endpoint[] {
    const endpoints = this.#peers.endpoints(peerId);
    const last = this.#memberLinks.get(peerId)?.connection.peer;
    const publicKey = call.publicKeyOf(peerId) ?? undefined;
    if (last && publicKey) endpoints.push({ host: last.address, port: last.port, publicKey });
    return endpoints;
  }

  /** An answered invite (accept, or the invitee joining through someone else). */
  #settleOutgoing(peerId: string, callId: string): void {
    const invite = this.#outgoing.get(peerId);
    if (!invite || invite.call !== callId) return;
    clearTimeout(invite.timer);
    this.#outgoing.delete(peerId);
  }

  #startLink(
    call: Call,
    peerId: string,
    connection: SignalingConnection,
    number: number,
    offerer: boolean,
    openTimeoutMs?: number,
  ): PeerLink | null {
    const session = connection.sessionKeys;
    const entry = this.#memberLinks.get(peerId);
    if (!session || !entry) return null;
    const link = new PeerLink({
      localId: this.#id,
      peerId,
      session,
      offerer,
      linkNumber: number,
      logger: this.#log,
      ...(openTimeoutMs ? { openTimeoutMs } : {}),
    });
    entry.link = link;
    entry.number = number;
    this.#log.debug('link started', { peer: peerId, link: number, offerer });
    link.on('signal', (signal) => connection.send({ ...signal, call: call.id, link: number }));
    call.attachLink(peerId, link);
    link.start();
    return link;
  }

  #dropMemberLink(peerId: string): void {
    const entry = this.#memberLinks.get(peerId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#memberLinks.delete(peerId);
  }

  /** Resolves when every member got our bye (or the grace ran out). */
  #leaveCall(reason: CallEndedReason): Promise<void> {
    const call = this.#call;
    if (!call) return Promise.resolve();
    for (const [peerId, invite] of this.#outgoing) {
      if (invite.call !== call.id) continue;
      clearTimeout(invite.timer);
      invite.connection.send({ t: 'cancel', call: call.id });
      this.#outgoing.delete(peerId);
    }
    for (const [peerId, entry] of this.#memberLinks) {
      entry.connection.send({ t: 'bye', call: call.id });
      this.#dropMemberLink(peerId);
    }
    this.#call = null;
    this.#admission = null;
    this.#inviting.clear();
    const hungUp = call.close();
    this.emit('call-ended', { call: call.id, reason });
    return hungUp;
  }

  #endCallIfEmpty(reason: CallEndedReason): void {
    const call = this.#call;
    if (!call || call.members().length > 0) return;
    if ([...this.#outgoing.values()].some((invite) => invite.call === call.id)) return;
    void this.#leaveCall(reason);
  }

  // ---- signaling ------------------------------------------------------------------------

  #onSignal(connection: SignalingConnection, message: SignalingMessage): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    switch (message.t) {
      case 'invite':
        this.#onInvite(connection, message);
        return;
      case 'accept': {
        const invite = this.#outgoing.get(peer.id);
        const call = this.#call;
        const member = call?.hasMember(peer.id) === true;
        if (!call || call.id !== message.call || (!member && invite?.call !== message.call)) {
          connection.send({ t: 'bye', call: message.call });
          return;
        }
        this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
        return;
      }
      case 'decline': {
        const invite = this.#outgoing.get(peer.id);
        if (!invite || invite.call !== message.call) return;
        clearTimeout(invite.timer);
        this.#outgoing.delete(peer.id);
        this.emit('invite-declined', {
          call: message.call,
          peer: peer.id,
          reason: message.reason,
        });
        this.#endCallIfEmpty('declined');
        return;
      }
      case 'cancel': {
        const invite = this.#incoming.get(message.call);
        if (!invite || invite.from !== peer.id) return;
        this.#incoming.delete(message.call);
        this.emit('invite-cancelled', { call: message.call, from: peer.id });
        return;
      }
      case 'offer':
        this.#onOffer(connection, message.call, message.link, message.sdp);
        return;
      case 'answer':
      case 'candidate': {
        const entry = this.#memberLinks.get(peer.id);
        if (!entry?.link || entry.number !== message.link || this.#call?.id !== message.call)
          return;
        entry.link.handleSignal(
          message.t === 'answer'
            ? { t: 'answer', sdp: message.sdp }
            : { t: 'candidate', candidate: message.candidate, mid: message.mid },
        );
        return;
      }
      case 'bye': {
        const invite = this.#incoming.get(message.call);
        if (invite && invite.from === peer.id) {
          this.#incoming.delete(message.call);
          this.emit('invite-cancelled', { call: message.call, from: peer.id });
        }
        if (this.#call?.id === message.call) {
          this.#call.noteBye(peer.id);
          this.#call.removeMember(peer.id, 'left');
        }
        return;
      }
      case 'join':
        this.#onJoin(connection, message.call, message.inviter, message.ticket);
        return;
      case 'hello':
      case 'ping':
      case 'pong':
        return;
    }
  }

  #onInvite(connection: SignalingConnection, invite: InviteMessage): void {
    const peer = connection.peer;
    if (!peer) return;
    const callId = invite.call;
    const call = this.#call;
    if (call?.id === callId) {
      // Two members invited us to the call we are already in: say yes to this one too.
      connection.send({ t: 'accept', call: callId });
      this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
      return;
    }
    if (call) {
      const crossing = call.members().length === 0 && this.#inviting.get(peer.id) === call.id;
      if (!crossing) {
        connection.send({ t: 'decline', call: callId, reason: 'busy' });
        return;
      }
      // We invited each other at the same moment: both sides keep the call with the lower
      // id, so there is one call, not two. The other side does the mirror image.
      if (callId > call.id) return;
      void this.#leaveCall('merged');
      this.#storeInvite(connection, peer.id, invite);
      try {
        this.accept(callId);
      } catch (err) {
        this.emit('accept-failed', err);
      }
      return;
    }
    const existing = this.#incoming.get(callId);
    if (existing) {
      existing.inviters.set(peer.id, { connection, ticket: invite.ticket });
      return;
    }
    this.#storeInvite(connection, peer.id, invite);
    this.emit('invite', {
      call: callId,
      from: peer.id,
      name: peer.name,
      safetyCode: safetyCode(this.#identity.publicKey, peer.publicKey),
      trust: this.#peers.trustOf(peer.id, peer.name, peer.publicKey),
    });
  }

  #storeInvite(connection: SignalingConnection, from: string, invite: InviteMessage): void {
    connection.enableKeepalive();
    this.#incoming.set(invite.call, {
      call: invite.call,
      from,
      connection,
      inviters: new Map([[from, { connection, ticket: invite.ticket }]]),
      members: invite.members,
    });
  }

  /** A peer we did not invite wants in: it must show a ticket signed by a member. */
  #onJoin(connection: SignalingConnection, callId: string, inviter: string, ticket: string): void {
    const peer = connection.peer;
    const call = this.#call;
    if (!peer) return;
    if (!call || call.id !== callId) {
      connection.send({ t: 'bye', call: callId });
      return;
    }
    if (call.hasMember(peer.id)) {
      this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
      return;
    }
    const inviterKey =
      inviter === this.#id
        ? this.#identity.publicKey
        : call.hasMember(inviter)
          ? call.publicKeyOf(inviter)
          : null;
    const valid = inviterKey !== null && ticketValid(inviterKey, callId, peer.publicKey, ticket);
    if (!valid) {
      this.#log.warn('join refused: no valid ticket from a member', { peer: peer.id, inviter });
      connection.send({ t: 'bye', call: callId });
      return;
    }
    this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
  }

  /** A member's signature letting `inviteeKey` into `callId`, checked by the others. */
  #ticketFor(callId: string, inviteeKey: Uint8Array): string {
    return toBase64(signStatement(this.#identity, 'join-ticket', [callId, toBase64(inviteeKey)]));
  }

  #onOffer(connection: SignalingConnection, callId: string, number: number, sdp: string): void {
    const peer = connection.peer;
    const call = this.#call;
    const entry = peer ? this.#memberLinks.get(peer.id) : undefined;
    // A fresh offer from a member (first link, or a new one after a drop) replaces any link.
    if (!peer || !call || call.id !== callId || !entry || this.#id < peer.id) {
      this.#log.warn('unexpected offer ignored', { peer: peer?.id ?? null });
      return;
    }
    if (this.#claimLinkNumber(connection, number) === null) {
      this.#log.warn('offer reused a link number; ignored', { peer: peer.id, link: number });
      return;
    }
    entry.connection = connection;
    const link = this.#startLink(call, peer.id, connection, number, false);
    link?.handleSignal({ t: 'offer', sdp });
  }

  /** Link keys derive from the connection's session and this number: never use one twice. */
  #claimLinkNumber(connection: SignalingConnection, wanted: number | null): number | null {
    const used = this.#usedLinkNumbers.get(connection) ?? new Set<number>();
    this.#usedLinkNumbers.set(connection, used);
    const number = wanted ?? used.size;
    if (used.has(number)) return null;
    used.add(number);
    return number;
  }

  #onConnectionClosed(connection: SignalingConnection, error: MeshError | null): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    for (const [callId, invite] of this.#incoming) {
      if (invite.connection !== connection) continue;
      this.#incoming.delete(callId);
      this.emit('invite-cancelled', { call: callId, from: peer.id });
    }
    const outgoing = this.#outgoing.get(peer.id);
    if (outgoing?.connection === connection) {
      clearTimeout(outgoing.timer);
      this.#outgoing.delete(peer.id);
      this.emit('invite-declined', {
        call: outgoing.call,
        peer: peer.id,
        reason: `unreachable: ${error?.message ?? 'connection closed'}`,
      });
      this.#endCallIfEmpty('no answer');
    }
    const entry = this.#memberLinks.get(peer.id);
    const call = this.#call;
    if (entry?.connection === connection && call?.hasMember(peer.id))
      this.#probe(call, peer.id, error);
  }

  /**
   * The signaling connection to a member closed. One quick dial tells a process that is
   * gone (its host refuses the connection: removed at once) from a network hiccup (the
   * heartbeat decides); a working dial just replaces the connection.
   */
  #probe(call: Call, peerId: string, error: MeshError | null): void {
    this.#pool
      .connect(peerId, this.#memberEndpoints(call, peerId))
      .then((connection) => {
        const entry = this.#memberLinks.get(peerId);
        if (!entry || this.#call !== call) return;
        connection.enableKeepalive();
        entry.connection = connection;
      })
      .catch((err: unknown) => {
        if (this.#call !== call || !isRefused(err)) return;
        call.removeMember(peerId, 'lost', error ?? (err instanceof MeshError ? err : null));
      });
  }

  // ---- how members are described --------------------------------------------------------

  #memberView(member: MemberView): MemberEventView {
    const key = this.#call ? this.#publicKeyOfMember(member.id) : null;
    return {
      peer: member.id,
      name: member.name,
      state: member.state,
      safetyCode: key ? safetyCode(this.#identity.publicKey, key) : '',
      verified: this.#peers.isVerified(member.id),
    };
  }

  /** How we describe a member to the others (its address as we reach it). */
  #memberInfo(call: Call, memberId: string): MemberInfo | null {
    const member = call.member(memberId);
    const publicKey = call.publicKeyOf(memberId);
    if (!member || !publicKey) return null;
    const peer = this.#memberLinks.get(memberId)?.connection.peer;
    return {
      id: memberId,
      name: member.name,
      publicKey: toBase64(publicKey),
      host: peer?.address ?? '',
      port: peer?.port ?? 1,
    };
  }

  #memberInfos(call: Call): MemberInfo[] {
    const infos: MemberInfo[] = [];
    for (const member of call.members()) {
      const info = this.#memberInfo(call, member.id);
      if (info) infos.push(info);
    }
    return infos;
  }

  #publicKeyOfMember(peerId: string): Uint8Array | null {
    return (
      this.#memberLinks.get(peerId)?.connection.peer?.publicKey ?? this.#peers.publicKeyOf(peerId)
    );
  }
}
