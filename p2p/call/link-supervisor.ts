import { MeshError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { ConnectionPool, Endpoint } from '../signaling/connection-pool.js';
import type { AuthenticatedPeer, SignalingConnection } from '../signaling/connection.js';
import type { LinkSignal } from '../signaling/messages.js';
import type { Call } from './call.js';
import type { CallLink } from './call-link.js';
import type { LinkNumbers } from './link-numbers.js';

/** What the supervisor asks of its call: who is in it, and new links (the call owns them). */
export type SupervisedCall = Pick<
  Call,
  'id' | 'member' | 'hasMember' | 'needsLink' | 'removeMember' | 'publicKeyOf' | 'openLink'
>;

export interface LinkSupervisorOptions {
  call: SupervisedCall;
  localId: string;
  pool: Pick<ConnectionPool, 'connect' | 'dialAddress'>;
  numbers: LinkNumbers;
  /** Where a peer can be reached that we know of (mDNS, a manual address). */
  endpointsOf: (peerId: string) => Endpoint[];
  logger: Logger;
  /** A member whose link is not up after this long is dropped from the call. */
  linkTimeoutMs?: number | undefined;
}

interface MemberSignaling {
  connection: SignalingConnection;
  link: CallLink | null;
  number: number | null;
  /** Gives the member up if its first link never comes up. */
  timer: NodeJS.Timeout;
}

/** A replacement link that is not up in this long is tried again (over a fresh connection). */
const RELINK_OPEN_TIMEOUT_MS = 2000;
/** How long one dial of a relink may take, and the pause between relink rounds. */
const RELINK_DIAL_TIMEOUT_MS = 1000;
const RELINK_RETRY_MS = 1000;

function isRefused(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
}

/**
 * One call's links on the signaling side: one signaling connection per member, link
 * numbers, offers, answers and candidates routed by link number, relinks when a link drops
 * or stalls, and a probe when a member's signaling connection closes. The lower peer id
 * offers; the other side answers. Lives as long as its call; close() says bye to everyone.
 */
export class LinkSupervisor {
  readonly #options: LinkSupervisorOptions;
  readonly #call: SupervisedCall;
  readonly #log: Logger;
  readonly #members = new Map<string, MemberSignaling>();
  /** Members for which a relink is under way (one at a time per member). */
  readonly #relinking = new Set<string>();
  #closed = false;

  constructor(options: LinkSupervisorOptions) {
    this.#options = options;
    this.#call = options.call;
    this.#log = options.logger;
  }

  /** The peer at the other end of a member's signaling connection (address, key). */
  peerOf(peerId: string): AuthenticatedPeer | null {
    return this.#members.get(peerId)?.connection.peer ?? null;
  }

  /** True while `connection` carries a member's signaling. */
  needs(connection: SignalingConnection): boolean {
    const id = connection.peer?.id;
    return id !== undefined && this.#members.get(id)?.connection === connection;
  }

  /**
   * A member (already in the call) is reachable on `connection`: start linking with it.
   * Idempotent: a member already being linked keeps its link.
   */
  attach(peerId: string, connection: SignalingConnection): void {
    if (this.#closed) return;
    connection.enableKeepalive();
    const existing = this.#members.get(peerId);
    if (existing) {
      if (existing.connection.state !== 'open') existing.connection = connection;
      return;
    }
    const timer = setTimeout(() => {
      if (this.#closed || this.#call.member(peerId)?.state !== 'connecting') return;
      const error = new MeshError('ERR_LINK_FAILED', 'link did not come up');
      this.#call.removeMember(peerId, 'failed', error);
    }, this.#options.linkTimeoutMs ?? 15_000);
    this.#members.set(peerId, { connection, link: null, number: null, timer });
    if (this.#options.localId < peerId) {
      const number = this.#options.numbers.claim(connection);
      if (number !== null) this.#startLink(peerId, connection, number, true);
    }
  }

  /** The member left: forget its signaling (the call closed its links). */
  drop(peerId: string): void {
    const entry = this.#members.get(peerId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#members.delete(peerId);
  }

  /** An offer, answer or candidate for this call. */
  onSignal(connection: SignalingConnection, message: LinkSignal): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    const entry = this.#members.get(peer.id);
    if (message.t === 'offer') {
      // A fresh offer from a member (first link, or a new one after a drop) replaces any link.
      if (message.call !== this.#call.id || !entry || this.#options.localId < peer.id) {
        this.#log.warn('unexpected offer ignored', { peer: peer.id });
        return;
      }
      if (this.#options.numbers.claim(connection, message.link) === null) {
        this.#log.warn('offer reused a link number; ignored', {
          peer: peer.id,
          link: message.link,
        });
        return;
      }
      entry.connection = connection;
      const link = this.#startLink(peer.id, connection, message.link, false);
      link?.handleSignal({ t: 'offer', sdp: message.sdp });
      return;
    }
    if (!entry?.link || entry.number !== message.link || message.call !== this.#call.id) return;
    entry.link.handleSignal(
      message.t === 'answer'
        ? { t: 'answer', sdp: message.sdp }
        : { t: 'candidate', candidate: message.candidate, mid: message.mid },
    );
  }

  /**
   * A member's link dropped or stalled: the offering side makes a new one, over a fresh
   * signaling connection (the old one may be stuck in TCP back-off after an outage), and
   * keeps trying every second until the call has a working link again or gives the
   * member up. The answering side waits for the offer.
   */
  relink(peerId: string, attempt = 0): void {
    if (this.#closed || this.#options.localId > peerId || this.#relinking.has(peerId)) return;
    this.#relinking.add(peerId);
    setTimeout(
      () => {
        void this.#relinkAttempt(peerId)
          .then((started) => {
            this.#relinking.delete(peerId);
            // A started link reports back through the call when it opens or fails.
            if (!started && !this.#closed && this.#call.needsLink(peerId)) {
              this.relink(peerId, attempt + 1);
            }
          })
          .catch(() => this.#relinking.delete(peerId));
      },
      attempt === 0 ? 0 : RELINK_RETRY_MS,
    );
  }

  /**
   * A signaling connection closed. If it was a member's, one quick dial tells a process
   * that is gone (its host refuses the connection: removed at once) from a network hiccup
   * (the heartbeat decides); a working dial just replaces the connection.
   */
  onConnectionClosed(connection: SignalingConnection, error: MeshError | null): void {
    const peerId = connection.peer?.id;
    if (this.#closed || !peerId) return;
    if (this.#members.get(peerId)?.connection !== connection) return;
    if (!this.#call.hasMember(peerId)) return;
    this.#options.pool
      .connect(peerId, this.#endpoints(peerId))
      .then((fresh) => {
        const entry = this.#members.get(peerId);
        if (this.#closed || !entry) return;
        fresh.enableKeepalive();
        entry.connection = fresh;
      })
      .catch((err: unknown) => {
        if (this.#closed || !isRefused(err)) return;
        const cause = error ?? (err instanceof MeshError ? err : null);
        this.#call.removeMember(peerId, 'lost', cause);
      });
  }

  /** Idempotent: says bye on every member's signaling connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [peerId, entry] of this.#members) {
      entry.connection.send({ t: 'bye', call: this.#call.id });
      this.drop(peerId);
    }
  }

  async #relinkAttempt(peerId: string): Promise<boolean> {
    if (this.#closed || !this.#call.needsLink(peerId)) return true;
    for (const endpoint of this.#endpoints(peerId)) {
      try {
        const connection = await this.#options.pool.dialAddress(endpoint, RELINK_DIAL_TIMEOUT_MS);
        const entry = this.#members.get(peerId);
        if (this.#closed || !entry || !this.#call.needsLink(peerId)) return true;
        connection.enableKeepalive();
        entry.connection = connection;
        const number = this.#options.numbers.claim(connection);
        if (number === null) return false;
        this.#startLink(peerId, connection, number, true, RELINK_OPEN_TIMEOUT_MS);
        return true;
      } catch {
        // Try the next address; the caller schedules another round.
      }
    }
    return false;
  }

  /** Where a member can be reached: mDNS, a manual address, or where it last came from. */
  #endpoints(peerId: string): Endpoint[] {
    const endpoints = this.#options.endpointsOf(peerId);
    const last = this.peerOf(peerId);
    const publicKey = this.#call.publicKeyOf(peerId) ?? undefined;
    if (last && publicKey) endpoints.push({ host: last.address, port: last.port, publicKey });
    return endpoints;
  }

  #startLink(
    peerId: string,
    connection: SignalingConnection,
    number: number,
    offerer: boolean,
    openTimeoutMs?: number,
  ): CallLink | null {
    const session = connection.sessionKeys;
    const entry = this.#members.get(peerId);
    if (!session || !entry) return null;
    const link = this.#call.openLink({
      peerId,
      session,
      offerer,
      linkNumber: number,
      openTimeoutMs,
    });
    if (!link) return null;
    entry.link = link;
    entry.number = number;
    this.#log.debug('link started', { peer: peerId, link: number, offerer });
    const callId = this.#call.id;
    link.on('signal', (signal) => connection.send({ ...signal, call: callId, link: number }));
    link.start();
    return link;
  }
}
