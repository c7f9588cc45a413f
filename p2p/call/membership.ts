import { fromBase64, peerIdFromPublicKey, signStatement, toBase64 } from '../../crypto/index.js';
import { MeshError, errorText } from '../base/errors.js';
import type { EventMap } from '../base/typed-emitter.js';

import type { AuthenticatedPeer, SignalingConnection } from '../signaling/connection.js';
import type { MemberInfo } from '../signaling/messages.js';
import type { Admission, JoinProof } from './admission.js';
import type { CallAgentEvents, CallAgentOptions } from './call-agent.js';
import { Call } from './call.js';
import type { LinkNumbers } from './link-numbers.js';
import { LinkSupervisor } from './link-supervisor.js';

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
 * (their signaling), our proof of admission, and the members we link with as rosters name
 * them. Owns both; close() hangs up.
 */
export class Membership {
  readonly call: Call;
  readonly links: LinkSupervisor;
  /** Invites to this call still dialing their invitee: the call must not end under them. */
  dials = 0;
  readonly #options: MembershipOptions;
  /** How we got in, shown to members we meet later. */
  #proof: JoinProof;
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
      describeSelf: () => ({
        id: localId,
        name,
        publicKey: toBase64(identity.publicKey),
        host: '',
        port: options.signalingPort(),
      }),
      describeMember: (memberId) => this.#memberInfo(memberId),
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
    // The call's creator vouches for itself; members it meets later check this like any ticket.
    this.#proof = options.admission.ownProof(this.call.id);
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

  /** We came in on `proof` (the first inviter's ticket), shown to the members we meet. */
  admittedBy(proof: JoinProof): void {
    this.#proof = proof;
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

  /** A peer asks to join: in if it is a member already or shows a ticket from one. */
  admit(peer: AuthenticatedPeer, connection: SignalingConnection, proof: JoinProof): boolean {
    const known = this.call.hasMember(peer.id);
    if (!known && !this.#options.admission.admits(this.call, peer.publicKey, proof)) return false;
    this.addMember(peer, connection);
    return true;
  }

  /** Links us with a member we have not talked to yet, showing our ticket. */
  join(member: MemberInfo): void {
    const { call } = this;
    if (this.#closed || member.id === this.#options.localId || call.hasMember(member.id)) return;
    let publicKey: Uint8Array;
    try {
      publicKey = fromBase64(member.publicKey);
    } catch {
      return;
    }
    if (peerIdFromPublicKey(publicKey) !== member.id) return;
    call.addMember({ id: member.id, name: member.name, publicKey });
    const endpoints = this.#options.endpointsOf(member.id);
    if (member.host) endpoints.push({ host: member.host, port: member.port, publicKey });
    const proof = this.#proof;
    this.#options.pool
      .connect(member.id, endpoints)
      .then((connection) => {
        if (this.#closed || !call.hasMember(member.id)) return;
        connection.send({ t: 'join', call: call.id, ...proof });
        this.addMember({ id: member.id, name: member.name, publicKey }, connection);
      })
      .catch((err: unknown) => {
        if (this.#closed) return;
        const reason = errorText(err);
        this.#options.logger.warn('could not reach a member to join', { peer: member.id, reason });
        call.removeMember(member.id, 'failed', err instanceof MeshError ? err : null);
      });
  }

  /** How we describe the members to a peer we invite. */
  memberInfos(): MemberInfo[] {
    return this.call.members().flatMap((member) => this.#memberInfo(member.id) ?? []);
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
    call.on('roster', ({ members }) => {
      for (const member of members) if (!call.hasLeft(member.id)) this.join(member);
    });
    call.on('member-joined', (member) => {
      if (this.#announced) {
        report('member-joined', { call: call.id, member });
        return;
      }
      this.#announced = true;
      report('call-joined', { call: call.id, members: call.members() });
    });
    call.on('member-left', (member, reason, error) => {
      links.drop(member.id);
      const detail = error && reason !== 'left' ? { detail: error.message } : {};
      report('member-left', { call: call.id, member, reason, ...detail });
    });
    call.on('chat', (message) => report('chat', message));
    call.on('empty', () => this.#options.onEmpty());
    call.on('encode-target', (target) => report('encode-target', target));
    call.on('video-state', (state) => report('video-state', state));
    call.on('frame', (frame) => report('frame', frame));
  }

  /** How we describe a member to the others (its address as we reach it). */
  #memberInfo(memberId: string): MemberInfo | null {
    const member = this.call.member(memberId);
    const publicKey = this.call.publicKeyOf(memberId);
    if (!member || !publicKey) return null;
    const peer = this.links.peerOf(memberId);
    return {
      id: memberId,
      name: member.name,
      publicKey: toBase64(publicKey),
      host: peer?.address ?? '',
      port: peer?.port ?? 1,
    };
  }
}
