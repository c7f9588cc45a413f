import type { KnownPeers } from '../crypto/index.js';
import { fingerprint, safetyCode } from '../crypto/index.js';
import type { ConnectionPool, Endpoint } from '../p2p/signaling/connection-pool.js';
import type { Discovery, PeerAdvert } from '../p2p/discovery/discovery.js';
import { MeshError, errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import type { AuthenticatedPeer, SignalingConnection } from '../p2p/signaling/connection.js';
import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type { PeerView, TrustState } from '../protocol/api.js';
import type { ApiReports } from './api-reports.js';
import { CommandError } from './command-error.js';

/** Every event of the directory is an API event as it stands. */
export const PEER_DIRECTORY_EVENTS = [
  'peer-up',
  'peer-down',
  'key-changed',
  'trust-changed',
] as const;

export type PeerDirectoryEvents = ApiReports<(typeof PEER_DIRECTORY_EVENTS)[number]>;

export interface PeerDirectoryOptions {
  localId: string;
  /** Our identity key: safety codes pair it with each peer's. */
  localKey: Uint8Array;
  knownPeers: KnownPeers;
  /** Manual peers are dialed and kept connected through the session's pool. */
  pool: ConnectionPool;
  logger: Logger;
}

/** A peer added by address (where multicast does not reach), kept connected while we run. */
interface ManualPeer {
  id: string;
  name: string;
  publicKey: Uint8Array;
  host: string;
  port: number;
  online: boolean;
  retry: NodeJS.Timeout | null;
}

/**
 * The peers this node can call: those mDNS announces and those added by hand, each with
 * how far we trust its key (trust on first use, verified, or changed since we met it).
 */
export class PeerDirectory extends TypedEmitter<PeerDirectoryEvents> {
  readonly #options: PeerDirectoryOptions;
  readonly #knownPeers: KnownPeers;
  #discovery: Discovery | null = null;
  readonly #manual = new Map<string, ManualPeer>();
  readonly #keyChangeWarned = new Set<string>();
  /** Peers first remembered in this run: still shown as "new" after the store took them. */
  readonly #rememberedThisRun = new Set<string>();
  #closed = false;

  constructor(options: PeerDirectoryOptions) {
    super({ logger: options.logger });
    this.#options = options;
    this.#knownPeers = options.knownPeers;
  }

  /**
   * Follows mDNS adverts. The session keeps `discovery` and closes it after every
   * connection, so peers see our calls and invites end before we leave their lists.
   */
  watch(discovery: Discovery): void {
    this.#discovery = discovery;
    discovery.on('peer-up', (advert) => this.#onAdvertUp(advert));
    discovery.on('peer-down', (advert) => this.#onAdvertDown(advert));
    // An invalid advert (an id that is not its key's, say) proves nothing about anyone, so it
    // raises no warning; Discovery counts it.
  }

  /** Idempotent: stops reconnecting to manual peers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const manual of this.#manual.values()) if (manual.retry) clearTimeout(manual.retry);
    this.removeAllListeners();
  }

  /**
   * A peer proved its key on a connection: warn if it uses a name (or a look-alike) we know
   * with another key. Nothing is remembered here: anyone can connect under any name, and only
   * peers the user deals with (`consent`) enter the store.
   */
  meet(peer: AuthenticatedPeer): void {
    const status = this.#knownPeers.check(peer.name, peer.publicKey);
    if (status.status === 'key-changed') {
      this.#warnKeyChanged(
        peer.id,
        peer.name,
        status.previous.id,
        `${peer.name} connected with a key that differs from the one remembered for that name`,
      );
    }
  }

  /**
   * What a call member is shown as. A member names itself (in its hello, and again when it
   * renames over the call's control channel), and a rename of a key we keep shows; but a
   * name that could be taken for someone else we keep is never shown for another key: a new
   * key gets the warning a connecting peer gets, a known one keeps the name we had for it.
   */
  memberName(peerId: string, announced: string, publicKey: Uint8Array | null): string {
    if (!publicKey) return announced;
    const status = this.#knownPeers.check(announced, publicKey);
    // Its own name, as we keep it (an old key of the same name we kept too is no look-alike).
    if (status.status === 'known' && status.peer.name === announced) return announced;
    const other =
      status.status === 'known'
        ? this.#knownPeers.confusableWith(announced, status.peer.id)
        : status.status === 'key-changed'
          ? status.previous
          : undefined;
    if (!other) return announced;
    const message = `${announced} is in the call with a key other than the one remembered for that name`;
    this.#warnKeyChanged(peerId, announced, other.id, message);
    return status.status === 'known' ? status.peer.name : announced;
  }

  /**
   * The user dealt with this peer (added it, invited it, accepted its invite): remember the
   * key its open connection proved, under the name we already keep for it, else its own. A
   * changed key is not taken this way; only `trust` accepts one.
   */
  consent(peerId: string): void {
    const peer = this.#options.pool.get(peerId)?.peer;
    if (this.#closed || !peer || peer.id !== peerId) return;
    if (this.#knownPeers.check(peer.name, peer.publicKey).status === 'key-changed') return;
    const known = this.#knownPeers.get(peerId);
    if (!known) this.#rememberedThisRun.add(peerId);
    this.#knownPeers.remember(known?.name ?? peer.name, peer.publicKey).catch((err: unknown) => {
      this.#options.logger.warn('could not save known peers', { reason: errorText(err) });
    });
  }

  /** Waits for pending writes of the store (the session calls it on shutdown); never rejects. */
  flush(): Promise<void> {
    return this.#knownPeers.flush().catch((err: unknown) => {
      this.#options.logger.warn('could not save known peers', { reason: errorText(err) });
    });
  }

  /** Dials an address and keeps that peer connected (and listed) from now on. */
  async add(host: string, port: number): Promise<void> {
    const connection = await this.#options.pool.dialAddress({ host, port });
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    if (peer.id === this.#options.localId) {
      connection.close(new MeshError('ERR_CLOSED', 'dialed ourselves'));
      throw new CommandError('ERR_UNKNOWN_PEER', 'that address is this node');
    }
    connection.enableKeepalive();
    const wasVisible = this.view(peer.id) !== null;
    const existing = this.#manual.get(peer.id);
    if (existing?.retry) clearTimeout(existing.retry);
    this.#manual.set(peer.id, {
      id: peer.id,
      name: peer.name,
      publicKey: peer.publicKey,
      host,
      port,
      online: true,
      retry: null,
    });
    this.#watchManual(peer.id, connection);
    this.consent(peer.id);
    const view = this.view(peer.id);
    if (view && !wasVisible) this.emit('peer-up', view);
  }

  /** Accepts the key a peer shows now (after a key change, once codes were compared). */
  async trust(peerId: string): Promise<void> {
    const view = this.view(peerId);
    const key = this.publicKeyOf(peerId);
    if (!view || !key) throw new CommandError('ERR_UNKNOWN_PEER', `no peer ${peerId} nearby`);
    await this.#knownPeers.remember(view.name, key);
    if (this.#closed) return;
    this.#keyChangeWarned.delete(peerId);
    this.#emitTrust(peerId, view.name, key);
  }

  async verify(peerId: string, verified: boolean): Promise<void> {
    const view = this.view(peerId);
    const key = this.publicKeyOf(peerId);
    if (!view || !key) throw new CommandError('ERR_UNKNOWN_PEER', `no peer ${peerId} nearby`);
    if (view.trust === 'key-changed') {
      throw new CommandError('ERR_KEY_CHANGED', 'trust the new key before marking it verified');
    }
    if (!this.#knownPeers.get(peerId)) await this.#knownPeers.remember(view.name, key);
    await this.#knownPeers.markVerified(peerId, verified);
    if (this.#closed) return;
    this.#emitTrust(peerId, view.name, key);
  }

  /** True while `connection` goes to a manual peer we keep connected. */
  needs(connection: SignalingConnection): boolean {
    const id = connection.peer?.id;
    return id !== undefined && this.#manual.get(id)?.online === true;
  }

  /** Where a peer can be dialed: its adverts, newest first, then its manual address. */
  endpoints(peerId: string): Endpoint[] {
    const endpoints: Endpoint[] = (this.#discovery?.endpoints(peerId) ?? []).map((advert) => ({
      host: advert.host,
      port: advert.port,
      publicKey: advert.publicKey,
    }));
    const manual = this.#manual.get(peerId);
    if (manual)
      endpoints.push({ host: manual.host, port: manual.port, publicKey: manual.publicKey });
    return endpoints;
  }

  /** The key a listed peer shows (its newest advert, else its manual address). */
  publicKeyOf(peerId: string): Uint8Array | null {
    return (
      this.#discovery?.endpoints(peerId)[0]?.publicKey ??
      this.#manual.get(peerId)?.publicKey ??
      null
    );
  }

  /**
   * A peer as front ends list it; null unless it is announced or connected by hand. A peer
   * whose key we keep is shown under the name we keep for it: an advert (anyone can copy one)
   * or a new name of its own only shows up as `announcedName`.
   */
  view(peerId: string): PeerView | null {
    const advert = this.#discovery?.endpoints(peerId)[0];
    const manual = this.#manual.get(peerId);
    const source = advert ? 'mdns' : manual?.online ? 'manual' : null;
    const base = advert ?? (manual?.online ? manual : null);
    if (!source || !base) return null;
    const name = this.#shownName(base.name, base.publicKey);
    return {
      peer: peerId,
      name,
      ...(name === base.name ? {} : { announcedName: base.name }),
      host: base.host,
      port: base.port,
      safetyCode: safetyCode(this.#options.localKey, base.publicKey),
      fingerprint: fingerprint(base.publicKey),
      trust: this.trustOf(peerId, base.name, base.publicKey),
      source,
    };
  }

  views(): PeerView[] {
    const ids = new Set<string>([
      ...(this.#discovery?.peers() ?? []).map((advert) => advert.id),
      ...this.#manual.keys(),
    ]);
    return [...ids].map((id) => this.view(id)).filter((view): view is PeerView => !!view);
  }

  trustOf(peerId: string, name: string, publicKey: Uint8Array): TrustState {
    const status = this.#knownPeers.check(name, publicKey);
    if (status.status === 'key-changed') return 'key-changed';
    if (status.status === 'new') return 'new';
    if (this.#knownPeers.get(peerId)?.verified) return 'verified';
    return this.#rememberedThisRun.has(peerId) ? 'new' : 'known';
  }

  /** Whether the user marked this peer's key as checked (safety codes compared). */
  isVerified(peerId: string): boolean {
    return this.#knownPeers.get(peerId)?.verified ?? false;
  }

  #watchManual(peerId: string, connection: SignalingConnection): void {
    connection.on('close', () => {
      const manual = this.#manual.get(peerId);
      if (this.#closed || !manual?.online) return;
      manual.online = false;
      if (!this.#discovery?.endpoints(peerId).length) {
        this.emit('peer-down', {
          peer: peerId,
          name: this.#shownName(manual.name, manual.publicKey),
        });
      }
      this.#retryManual(peerId, 1000);
    });
  }

  #retryManual(peerId: string, delayMs: number): void {
    const manual = this.#manual.get(peerId);
    if (!manual || this.#closed) return;
    manual.retry = setTimeout(() => {
      manual.retry = null;
      this.#options.pool
        .connect(peerId, [{ host: manual.host, port: manual.port, publicKey: manual.publicKey }])
        .then((connection) => {
          if (this.#closed) return;
          connection.enableKeepalive();
          const wasVisible = this.view(peerId) !== null;
          manual.online = true;
          this.#watchManual(peerId, connection);
          const view = this.view(peerId);
          if (view && !wasVisible) this.emit('peer-up', view);
        })
        .catch(() => this.#retryManual(peerId, Math.min(delayMs * 2, 30_000)));
    }, delayMs);
  }

  /**
   * An advert is a claim anyone can make: its view says `key-changed` when its name is one we
   * keep with another key (so it cannot be invited unnoticed), but the `key-changed` event
   * waits for a key exchange that proves the other key (`meet`).
   */
  #onAdvertUp(advert: PeerAdvert): void {
    const view = this.view(advert.id);
    if (!view || this.#manual.get(advert.id)?.online) return;
    this.emit('peer-up', view);
  }

  #onAdvertDown(advert: PeerAdvert): void {
    if (this.#manual.get(advert.id)?.online) return;
    this.emit('peer-down', {
      peer: advert.id,
      name: this.#shownName(advert.name, advert.publicKey),
    });
  }

  /** The name we keep for this key if we keep it, else the one announced. */
  #shownName(announced: string, publicKey: Uint8Array): string {
    const kept = this.#knownPeers.check(announced, publicKey);
    return kept.status === 'known' ? kept.peer.name : announced;
  }

  #emitTrust(peerId: string, name: string, key: Uint8Array): void {
    this.emit('trust-changed', { peer: peerId, trust: this.trustOf(peerId, name, key) });
  }

  #warnKeyChanged(peerId: string, name: string, previousPeer: string, message: string): void {
    if (this.#keyChangeWarned.has(peerId)) return;
    this.#keyChangeWarned.add(peerId);
    this.#options.logger.warn('key changed', { peer: peerId, previous: previousPeer });
    this.emit('key-changed', { peer: peerId, name, previousPeer, message });
  }
}
