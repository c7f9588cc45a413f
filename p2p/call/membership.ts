import { fromBase64, peerIdFromPublicKey, signStatement, toBase64 } from '../../crypto/index.js';
import { errorText } from '../base/errors.js';
import type { EventMap } from '../base/typed-emitter.js';

import type { AuthenticatedPeer, SignalingConnection } from '../signaling/connection.js';
import type { Roster, RosterEntry } from '../signaling/messages.js';
import type { Admission, Ticket, TicketVerdict } from './admission.js';
import type { CallAgentEvents, CallAgentOptions } from './call-agent.js';
import { Call } from './call.js';
import type { LinkNumbers } from './link-numbers.js';
import { LinkSupervisor } from './link-supervisor.js';

/** A member we could not reach to join is tried again after 0.5, 1 and 2 s. */
const JOIN_RETRIES = 3;
const JOIN_RETRY_MS = 500;

/** Passes an event on, as its owner reports it. */
export type Reporter<E extends EventMap<E>> = <K extends keyof E & string>(
  event: K,
  ...args: E[K]
) => void;

/** The agent's own settings, passed down as they are. */
type InheritedOptions = Pick<
  CallAgentOptions,
  | 'name'
  | 'identity'
  | 'pool'
  | 'endpointsOf'
  | 'signalingPort'
  | 'logger'
  | 'linkTimeoutMs'
  | 'linkFactory'
  | 'callTimings'
  | 'decode'
  | 'partyCacheDir'
>;

export interface MembershipOptions extends InheritedOptions {
  /** The call to join; none to create one. */
  callId: string | undefined;
  localId: string;
  admission: Admission;
  numbers: LinkNumbers;
  /** An invite of ours was answered (the member is in). */
  onMemberAdded: (peerId: string, callId: string) => void;
  /** The last other member left. */
  onEmpty: () => void;
  report: Reporter<CallAgentEvents>;
}

/**
 * Our membership of one call: the Call (roster, chat, media, links) and its LinkSupervisor
 * (their signaling), our admission epoch and ticket, and the members we link with as the
 * members' rosters vouch for them. Owns both; close() hangs up.
 */
export class Membership {
  readonly call: Call;
  readonly links: LinkSupervisor;
  /** Invites to this call still dialing their invitee: the call must not end under them. */
  dials = 0;
  readonly #options: MembershipOptions;
  /** Our admission epoch (see admission.ts): moves with every roster change. */
  #epoch = 0;
  /** Our newest ticket (from our inviter, or a member's roster), shown to members we join. */
  #proof: Ticket | null = null;
  /** Members a ticket vouched for that we are dialing; in the call once the dial succeeds. */
  readonly #joining = new Set<string>();
  /** call-joined is out (at once for a call we created; on the first link for one we joined). */
  #announced: boolean;
  #closed = false;

  constructor(options: MembershipOptions) {
    this.#options = options;
    const { localId, name, identity } = options;
    this.call = new Call({
      ...(options.callId ? { id: options.callId } : {}),
      local: {
        id: localId,
        name,
        publicKey: identity.publicKey,
        sign: (fields) => signStatement(identity, 'chat', fields),
      },
      logger: options.logger,
      ...(options.linkFactory ? { linkFactory: options.linkFactory } : {}),
      ...(options.callTimings ? { timings: options.callTimings } : {}),
      decode: options.decode,
      partyCacheDir: options.partyCacheDir,
      describeRoster: () => this.roster(),
    });
    this.links = new LinkSupervisor({
      call: this.call,
      localId,
      pool: options.pool,
      numbers: options.numbers,
      endpointsOf: options.endpointsOf,
      logger: options.logger,
      linkTimeoutMs: options.linkTimeoutMs,
    });
    this.#announced = options.callId === undefined;
    this.#watch();
  }

  get id(): string {
    return this.call.id;
  }

  /** True for a call we created: we are in it before anyone joins. */
  get announced(): boolean {
    return this.#announced;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** True for a member, or a peer a member vouched for that we are reaching. */
  knows(peerId: string): boolean {
    return this.call.hasMember(peerId) || this.#joining.has(peerId);
  }

  /** We let someone in on `ticket` (ours on their accept, or theirs on a join). */
  admitted(ticket: Ticket): void {
    this.#epoch = Math.max(this.#epoch, ticket.epoch + 1);
  }

  /**
   * Our inviter's answer to our accept: our ticket, and whom to join with it. False (and
   * nothing changes) unless the ticket is the sender's, for us, and current.
   */
  onAdmit(from: string, ticket: Ticket, roster: Roster): TicketVerdict {
    const verdict = this.#ownTicket(from, ticket);
    if (verdict !== 'ok') return verdict;
    this.admitted(ticket);
    this.#onRoster(from, roster);
    return verdict;
  }

  /** A peer that is in (it accepted our invite, we accepted its, or it was admitted). */
  addMember(
    peer: Pick<AuthenticatedPeer, 'id' | 'name' | 'publicKey'>,
    connection: SignalingConnection,
  ): void {
    if (this.#closed) return;
    this.call.addMember({ id: peer.id, name: peer.name, publicKey: peer.publicKey });
    this.#options.onMemberAdded(peer.id, this.call.id);
    this.links.attach(peer.id, connection);
  }

  /** A peer asks to join: in if we know it as a member already, or on a current ticket. */
  admit(peer: AuthenticatedPeer, connection: SignalingConnection, ticket: Ticket): TicketVerdict {
    if (!this.knows(peer.id)) {
      const { admission } = this.#options;
      const verdict = admission.admit(this.call, this.#epoch, peer.publicKey, ticket);
      if (verdict !== 'ok') return verdict;
      this.admitted(ticket);
    }
    this.addMember(peer, connection);
    return 'ok';
  }

  /**
   * Links us with a member a ticket vouched for, showing our own ticket. It enters the call
   * (under the name its hello gave) once it is reached.
   */
  #join(entry: RosterEntry, publicKey: Uint8Array, attempt = 0): void {
    const { call } = this;
    if (this.#closed || this.knows(entry.id) || call.hasLeft(entry.id)) return;
    this.#joining.add(entry.id);
    const endpoints = this.#options.endpointsOf(entry.id);
    if (entry.host) endpoints.push({ host: entry.host, port: entry.port, publicKey });
    this.#options.pool
      .connect(entry.id, endpoints)
      .then((connection) => {
        this.#joining.delete(entry.id);
        const peer = connection.peer;
        if (this.#closed || !peer || call.hasLeft(entry.id)) return;
        connection.send({ t: 'join', call: call.id, ticket: this.#showTicket() });
        this.addMember(peer, connection);
      })
      .catch((err: unknown) => {
        this.#joining.delete(entry.id);
        if (this.#closed) return;
        const reason = errorText(err);
        this.#options.logger.warn('could not reach a member to join', { peer: entry.id, reason });
        // A member under load (its hello budget spent by a flood) or briefly unreachable:
        // try again, backing off, while the ticket we were shown is still good.
        if (attempt < JOIN_RETRIES) {
          this.#joining.add(entry.id);
          const timer = setTimeout(
            () => {
              this.#joining.delete(entry.id);
              this.#join(entry, publicKey, attempt + 1);
            },
            JOIN_RETRY_MS * 2 ** attempt,
          );
          timer.unref();
          return;
        }
        if (call.members().length === 0 && this.#joining.size === 0) this.#options.onEmpty();
      });
  }

  /** The roster we gossip: every member with a fresh ticket of ours, at our epoch. */
  roster(): Roster {
    const callId = this.call.id;
    const members = this.call.members().flatMap((member) => {
      const info = this.#memberInfo(member.id);
      const key = this.call.publicKeyOf(member.id);
      if (!info || !key) return [];
      return [{ ...info, ticket: this.#options.admission.issue(callId, key, this.#epoch) }];
    });
    return { epoch: this.#epoch, members };
  }

  /** Idempotent: says bye on signaling and on every link; resolves when the links are down. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.links.close();
    return this.call.close();
  }

  #watch(): void {
    const { call, links } = this;
    const report = this.#options.report;
    call.on('member-state', (member) => report('member-state', { call: call.id, member }));
    call.on('link-lost', (peerId) => links.relink(peerId));
    call.on('roster', ({ from, roster }) => this.#onRoster(from, roster));
    call.on('member-joined', (member) => {
      if (this.#announced) {
        report('member-joined', { call: call.id, member });
        return;
      }
      this.#announced = true;
      report('call-joined', { call: call.id, members: call.members() });
    });
    call.on('member-left', (member, reason, error) => {
      // A roster change: tickets issued before it stop working once one more change follows.
      this.#epoch = Math.min(this.#epoch + 1, Number.MAX_SAFE_INTEGER);
      links.drop(member.id);
      const detail = error && reason !== 'left' ? { detail: error.message } : {};
      report('member-left', { call: call.id, member, reason, ...detail });
    });
    call.on('chat', (message) => report('chat', message));
    call.on('empty', () => this.#options.onEmpty());
    call.on('encode-target', (target) => report('encode-target', target));
    call.on('keyframe-needed', (need) => report('keyframe-needed', need));
    call.on('jpeg-fallback', (fallback) => report('jpeg-fallback', fallback));
    call.on('video-state', (state) => report('video-state', state));
    call.on('frame', (frame) => report('frame', frame));
    call.on('voice', (voice) => report('voice', voice));
    call.on('voice-playout', (frame) => report('voice-playout', frame));
    call.on('mute-state', (state) => report('mute-state', state));
    call.gestures.on('hand', (hand) => report('hand', hand));
    call.gestures.on('reaction', (reaction) => report('reaction', reaction));
  }

  /**
   * A member's roster: members it vouches for now (their tickets signed by it) that we do not
   * know yet are joined; an entry for us refreshes our ticket. A member that left is not
   * brought back by hearsay: it comes back by joining with a new ticket.
   */
  #onRoster(from: string, roster: Roster): void {
    const { call } = this;
    const epoch = this.#epoch;
    this.#epoch = Math.max(this.#epoch, roster.epoch);
    // Our own entry first: its fresh ticket is what we show the members we join below (an
    // older one may already be more than one roster change behind and be refused).
    const ownKey = toBase64(this.#options.identity.publicKey);
    for (const entry of roster.members) {
      if (entry.id === this.#options.localId && entry.publicKey === ownKey) {
        this.#ownTicket(from, entry.ticket);
      }
    }
    for (const entry of roster.members) {
      if (entry.id === this.#options.localId) continue;
      if (this.knows(entry.id) || call.hasLeft(entry.id)) continue;
      const key = keyOf(entry);
      const verdict = key
        ? this.#options.admission.vouches(call, epoch, key, entry.ticket, from)
        : 'forged';
      if (key && verdict === 'ok') {
        this.#join(entry, key);
        continue;
      }
      this.#options.logger.warn('roster entry refused', { peer: from, member: entry.id, verdict });
    }
  }

  /** A ticket for us from member `from`: kept (newest) if it checks out. */
  #ownTicket(from: string, ticket: Ticket): TicketVerdict {
    const key = this.#options.identity.publicKey;
    const verdict = this.#options.admission.vouches(this.call, this.#epoch, key, ticket, from);
    if (verdict !== 'ok') return verdict;
    if (!this.#proof || ticket.expires > this.#proof.expires) this.#proof = ticket;
    return verdict;
  }

  /** The ticket we show on a join: our newest, or (a creator) one of our own. */
  #showTicket(): Ticket {
    const { admission, identity } = this.#options;
    return this.#proof ?? admission.issue(this.call.id, identity.publicKey, this.#epoch);
  }

  /** How we describe a member to the others (its address as we reach it). */
  #memberInfo(memberId: string): Omit<RosterEntry, 'ticket'> | null {
    const publicKey = this.call.publicKeyOf(memberId);
    if (!this.call.hasMember(memberId) || !publicKey) return null;
    const peer = this.links.peerOf(memberId);
    return {
      id: memberId,
      publicKey: toBase64(publicKey),
      host: peer?.address ?? '',
      port: peer?.port ?? 1,
    };
  }
}

/** The entry's key, if it is well-formed and its id is that key's. */
function keyOf(entry: RosterEntry): Uint8Array | null {
  try {
    const key = fromBase64(entry.publicKey);
    return peerIdFromPublicKey(key) === entry.id ? key : null;
  } catch {
    return null;
  }
}
