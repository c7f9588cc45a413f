import type { CallEndedReason } from '../../protocol/api.js';
import { MeshError, errorText } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { MAX_MEMBERS } from '../base/limits.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { AuthenticatedPeer, SignalingConnection } from '../signaling/connection.js';
import type { SignalingMessage } from '../signaling/messages.js';
import type { Ticket, TicketVerdict } from './admission.js';
import { Admission } from './admission.js';
import type { AcceptOutcome, CallAgentEvents, CallAgentOptions } from './call-agent-types.js';
import type { Call } from './call.js';
import type { InviteMessage } from './invitations.js';
import { Invitations } from './invitations.js';
import { LinkNumbers } from './link-numbers.js';
import { Membership } from './membership.js';

export type { AcceptOutcome, CallAgentEvents, CallAgentOptions };

/**
 * The call protocol of one node: invites (Invitations), join tickets (Admission), the current
 * Call and its links' signaling (LinkSupervisor), and the signaling messages that concern
 * them. Owns all of these; close() leaves the call.
 */
export class CallAgent extends TypedEmitter<CallAgentEvents> {
  readonly #options: CallAgentOptions;
  readonly #log: Logger;
  readonly #admission: Admission;
  readonly #invitations: Invitations;
  /** Outlives calls: a signaling session may carry links of several calls in turn. */
  readonly #numbers = new LinkNumbers();
  #current: Membership | null = null;
  #closed = false;

  constructor(options: CallAgentOptions) {
    super({ logger: options.logger });
    // A copy: rename changes it.
    this.#options = { ...options };
    this.#log = options.logger;
    this.#admission = new Admission(options.id, options.identity);
    const invitations = new Invitations({ logger: this.#log, timeoutMs: options.inviteTimeoutMs });
    this.#invitations = invitations;
    invitations.on('invite', (invite) => this.emit('invite', invite));
    invitations.on('invite-sent', (sent) => this.emit('invite-sent', sent));
    invitations.on('invite-declined', (declined) => this.emit('invite-declined', declined));
    invitations.on('invite-cancelled', (cancelled) => this.emit('invite-cancelled', cancelled));
    invitations.on('invite-timeout', (timeout) => this.emit('invite-timeout', timeout));
    invitations.on('unanswered', (reason) => this.#endCallIfEmpty(reason));
  }

  /** The current call (chat, media, members), if any. */
  get call(): Call | null {
    return this.#current?.call ?? null;
  }

  /** We renamed: later calls start under the new name; the current one tells its members. */
  rename(name: string): void {
    this.#options.name = name;
    this.call?.announceName(name);
  }

  /** True while an invite of ours to `peerId` waits for an answer. */
  isInviting(peerId: string): boolean {
    return this.#invitations.outgoingCall(peerId) !== null;
  }

  /** Invites declined for flooding, and tickets refused by reason (see admission.ts). */
  refusals(): { invites: number; tickets: Partial<Record<TicketVerdict, number>> } {
    return { invites: this.#invitations.refused, tickets: this.#admission.refused() };
  }

  /** The key a member proved on its signaling connection, while it is linked. */
  linkedKeyOf(peerId: string): Uint8Array | null {
    return this.#current?.links.peerOf(peerId)?.publicKey ?? null;
  }

  /** Who invited us to `callId`, while that invite is pending. */
  invitersOf(callId: string): string[] {
    return [...(this.#invitations.incoming(callId)?.inviters.keys() ?? [])];
  }

  /** Idempotent: leaves the call; resolves when every member got our bye (or the grace ran out). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const leaving = this.#leaveCall('quit');
    this.#closed = true;
    this.#invitations.close();
    this.removeAllListeners();
    return leaving;
  }

  /** Takes part in a new signaling connection: its messages and its end concern the call. */
  adopt(connection: SignalingConnection): void {
    const peer = connection.peer;
    if (!peer || this.#closed) return;
    connection.on('message', (message) => {
      try {
        this.#onSignal(connection, peer, message);
      } catch (err) {
        this.#log.error('signaling handler failed', { peer: peer.id, reason: errorText(err) });
      }
    });
    connection.on('close', (error) => {
      if (this.#closed) return;
      this.#invitations.onConnectionClosed(connection, error);
      this.#current?.links.onConnectionClosed(connection, error);
    });
  }

  /** True while `connection` carries a member's signaling or a pending invite. */
  needs(connection: SignalingConnection): boolean {
    return this.#current?.links.needs(connection) === true || this.#invitations.needs(connection);
  }

  /** Invites a peer into our call, starting one if we are in none. Rejects if unreachable. */
  async invite(peerId: string): Promise<void> {
    if (this.#closed) return;
    const current = this.#current ?? this.#openCall(undefined);
    const { call } = current;
    this.#invitations.dialing(peerId, call.id);
    let connection: SignalingConnection;
    current.dials += 1;
    try {
      connection = await this.#options.pool.connect(peerId, this.#options.endpointsOf(peerId));
    } catch (err) {
      current.dials -= 1;
      this.#invitations.dialFailed(peerId, call.id);
      // Only this call, and only if no other invite to it is still dialing.
      if (this.#current === current) this.#endCallIfEmpty('no answer');
      throw err;
    }
    current.dials -= 1;
    if (this.#closed || this.#current !== current) return;
    if (!connection.peer) throw new MeshError('ERR_PROTOCOL', 'the invitee has no proven key');
    // No ticket yet: the invitee gets one only once it accepts (see #onAccept); only the
    // names of who is in the call, so it knows whom it would talk to.
    const names = call.members().map((member) => member.name);
    const members = names.length > 0 ? { members: names.slice(0, MAX_MEMBERS) } : {};
    this.#invitations.send(connection, { t: 'invite', call: call.id, ...members });
  }

  /** Takes back our invite to `peerId`; the call it was for, or null if none is pending. */
  cancelInvite(peerId: string): string | null {
    return this.#closed ? null : this.#invitations.cancel(peerId);
  }

  /** Accepting an invite that waited while we were in another call leaves that call first. */
  accept(callId: string): AcceptOutcome {
    if (this.#closed || !this.#invitations.incoming(callId)) return 'no-invite';
    const invite = this.#invitations.take(callId);
    const open = [...(invite?.inviters ?? [])].filter(([, v]) => v.connection.state === 'open');
    const [first] = open;
    if (!invite || !first) return 'inviter-gone';
    // Its members get our bye (the hang-ups finish on their own) before we dial anyone new.
    if (this.#current) void this.#leaveCall('left');
    const current = this.#openCall(callId);
    // Every member that invited us gets an accept, and answers with our ticket and whom
    // to join with it (#onSignal 'admit').
    for (const [, { connection }] of open) {
      const peer = connection.peer;
      if (!peer) continue;
      connection.send({ t: 'accept', call: callId });
      current.addMember(peer, connection);
    }
    return 'accepted';
  }

  /** False if there is no such invite. */
  decline(callId: string, reason: string): boolean {
    return !this.#closed && this.#invitations.decline(callId, reason);
  }

  /** False if we are in no call. The hang-ups finish on their own. */
  leave(): boolean {
    if (!this.#current) return false;
    void this.#leaveCall('left');
    return true;
  }

  // ---- the call ---------------------------------------------------------------------------

  #openCall(callId: string | undefined): Membership {
    const options = this.#options;
    const membership = new Membership({
      ...options,
      callId,
      localId: options.id,
      admission: this.#admission,
      numbers: this.#numbers,
      onMemberAdded: (peerId, id) => this.#invitations.settle(peerId, id),
      onEmpty: () => this.#endCallIfEmpty('everyone left'),
      report: (event, ...args) => this.emit(event, ...args),
    });
    this.#current = membership;
    if (membership.announced) this.emit('call-joined', { call: membership.id, members: [] });
    this.emit('call-started');
    return membership;
  }

  /** Resolves when every member got our bye (or the grace ran out). */
  #leaveCall(reason: CallEndedReason): Promise<void> {
    const current = this.#current;
    if (!current) return Promise.resolve();
    this.#invitations.withdraw(current.id);
    this.#current = null;
    const hungUp = current.close();
    this.emit('call-ended', { call: current.id, reason });
    return hungUp;
  }

  #endCallIfEmpty(reason: CallEndedReason): void {
    const current = this.#current;
    if (!current || current.call.members().length > 0 || current.dials > 0) return;
    if (this.#invitations.awaiting(current.id)) return;
    void this.#leaveCall(reason);
  }

  // ---- signaling --------------------------------------------------------------------------

  #onSignal(
    connection: SignalingConnection,
    peer: AuthenticatedPeer,
    message: SignalingMessage,
  ): void {
    if (this.#closed) return;
    const current = this.#current;
    switch (message.t) {
      case 'invite':
        this.#onInvite(connection, peer, message);
        return;
      case 'accept':
        this.#onAccept(connection, peer, message.call);
        return;
      case 'admit': {
        const verdict =
          current?.id === message.call && current.call.hasMember(peer.id)
            ? current.onAdmit(peer.id, message.ticket, message.roster)
            : 'unknown-inviter';
        if (verdict !== 'ok') this.#log.warn('admit ignored', { peer: peer.id, verdict });
        return;
      }
      case 'decline':
        this.#invitations.onDecline(peer.id, message.call, message.reason);
        return;
      case 'cancel':
        this.#invitations.onCancel(peer.id, message.call);
        return;
      case 'offer':
      case 'answer':
      case 'candidate':
        if (current) current.links.onSignal(connection, message);
        else if (message.t === 'offer')
          this.#log.warn('unexpected offer ignored', { peer: peer.id });
        return;
      case 'bye':
        this.#invitations.onCancel(peer.id, message.call);
        if (current?.id === message.call) {
          current.call.noteBye(peer.id);
          current.call.removeMember(peer.id, 'left');
        }
        return;
      case 'join':
        this.#onJoin(connection, peer, message.call, message.ticket);
        return;
      case 'hello':
      case 'ping':
      case 'pong':
        return;
    }
  }

  #onInvite(connection: SignalingConnection, peer: AuthenticatedPeer, invite: InviteMessage): void {
    const current = this.#current;
    if (!current) {
      this.#invitations.receive(connection, invite);
      return;
    }
    const { call } = current;
    if (call.id === invite.call && current.knows(peer.id)) {
      // Two members invited us to the call we are already in: say yes to this one too.
      connection.send({ t: 'accept', call: invite.call });
      current.addMember(peer, connection);
      return;
    }
    if (call.id === invite.call) {
      // Someone not in our call (a former member, say) cannot bring itself back by inviting us.
      connection.send({ t: 'decline', call: invite.call, reason: 'busy' });
      return;
    }
    const crossing = call.members().length === 0 && this.#invitations.crosses(peer.id, call.id);
    if (!crossing) {
      // Call waiting: the user decides (accepting leaves this call); floods are still refused.
      this.#invitations.receive(connection, invite);
      return;
    }
    // We invited each other at the same moment: both sides keep the call with the lower
    // id, so there is one call, not two. The other side does the mirror image.
    if (invite.call > call.id) return;
    void this.#leaveCall('merged');
    this.#invitations.keep(connection, invite);
    const outcome = this.accept(invite.call);
    if (outcome !== 'accepted') this.emit('accept-failed', { call: invite.call, outcome });
  }

  /**
   * The peer accepted our invite: it gets its ticket now (never before it said yes), and the
   * members to join with it. A member saying yes to a second invite is simply linked.
   */
  #onAccept(connection: SignalingConnection, peer: AuthenticatedPeer, callId: string): void {
    const current = this.#current;
    const invited = this.#invitations.outgoingCall(peer.id) === callId;
    if (!current || current.id !== callId || (!invited && !current.call.hasMember(peer.id))) {
      connection.send({ t: 'bye', call: callId });
      return;
    }
    if (invited) {
      const ticket = this.#admission.issue(callId, peer.publicKey, current.epoch);
      current.admitted(ticket);
      connection.send({ t: 'admit', call: callId, ticket, roster: current.roster() });
    }
    current.addMember(peer, connection);
  }

  /** A peer we did not invite wants in: it must show a current ticket signed by a member. */
  #onJoin(
    connection: SignalingConnection,
    peer: AuthenticatedPeer,
    callId: string,
    ticket: Ticket,
  ): void {
    const current = this.#current;
    if (!current || current.call.id !== callId) {
      connection.send({ t: 'bye', call: callId });
      return;
    }
    const verdict = current.admit(peer, connection, ticket);
    if (verdict !== 'ok') {
      this.#log.warn('join refused', { peer: peer.id, inviter: ticket.inviter, verdict });
      connection.send({ t: 'bye', call: callId });
    }
  }
}
