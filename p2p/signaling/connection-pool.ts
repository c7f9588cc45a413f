import { MeshError, errorText } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import type { SignalingConnection } from './connection.js';
import type { SignalingServer } from './server.js';
import { TypedEmitter } from '../base/typed-emitter.js';

/** A LAN peer answers a TCP connect in milliseconds; a dead address should not hold a dial. */
const DIAL_TIMEOUT_MS = 2000;

export interface Endpoint {
  host: string;
  port: number;
  /** Known from an advert: the peer must prove exactly this key. Absent for manual adds. */
  publicKey?: Uint8Array;
}

export interface ConnectionPoolEvents {
  /** A connection in either direction finished its key exchange. */
  connection: [SignalingConnection];
  /** One endpoint failed while dialing (the next one is still tried). */
  'dial-failed': [{ peerId: string | null; endpoint: Endpoint; error: MeshError }];
}

/**
 * Every authenticated signaling connection, by peer. Several may exist per peer (both
 * dialed at once); senders use the newest, and links stay on the one they started on.
 * Unused connections are closed after `idleMs`.
 */
export class ConnectionPool extends TypedEmitter<ConnectionPoolEvents> {
  readonly #server: SignalingServer;
  readonly #logger: Logger;
  readonly #byPeer = new Map<string, SignalingConnection[]>();
  readonly #dialing = new Map<string, Promise<SignalingConnection>>();
  readonly #lastUse = new WeakMap<SignalingConnection, number>();
  readonly #inUse: (connection: SignalingConnection) => boolean;
  readonly #sweep: NodeJS.Timeout;
  readonly #idleMs: number;
  #closed = false;

  constructor(options: {
    server: SignalingServer;
    logger?: Logger;
    idleMs?: number;
    /** Connections the owner still needs (calls, invites, manual peers) are never swept. */
    inUse: (connection: SignalingConnection) => boolean;
  }) {
    super({ logger: options.logger });
    this.#server = options.server;
    this.#logger = options.logger ?? silentLogger;
    this.#inUse = options.inUse;
    this.#idleMs = options.idleMs ?? 30_000;
    this.#server.on('connection', (connection) => this.#adopt(connection));
    this.#sweep = setInterval(() => this.#closeIdle(), Math.min(this.#idleMs, 10_000));
    this.#sweep.unref();
  }

  /** The newest open connection to `peerId`, if any. */
  get(peerId: string): SignalingConnection | null {
    const list = this.#byPeer.get(peerId);
    const connection = list?.[list.length - 1] ?? null;
    if (connection) this.#lastUse.set(connection, Date.now());
    return connection;
  }

  /**
   * An open connection to `peerId`, dialing all its endpoints at once if there is none.
   * Concurrent calls for one peer share one dial.
   */
  connect(peerId: string, endpoints: Endpoint[]): Promise<SignalingConnection> {
    const existing = this.get(peerId);
    if (existing) return Promise.resolve(existing);
    const pending = this.#dialing.get(peerId);
    if (pending) return pending;
    const dial = this.#dialAll(peerId, endpoints).finally(() => this.#dialing.delete(peerId));
    this.#dialing.set(peerId, dial);
    return dial;
  }

  /** Dials an address (a fresh connection even if one exists: it may be stalled). */
  async dialAddress(endpoint: Endpoint, timeoutMs?: number): Promise<SignalingConnection> {
    const connection = await this.#server.connect(
      endpoint.host,
      endpoint.port,
      endpoint.publicKey,
      timeoutMs,
    );
    if (this.#closed) {
      connection.close(new MeshError('ERR_CLOSED', 'node is shutting down'));
      throw new MeshError('ERR_CLOSED', 'node is shutting down');
    }
    this.#adopt(connection);
    return connection;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const list of this.#byPeer.values()) {
      for (const connection of list) connection.close(new MeshError('ERR_CLOSED', 'closing'));
    }
    this.#byPeer.clear();
    this.removeAllListeners();
  }

  /**
   * Dials every endpoint at once (adverts may be stale or copied by a rogue, and each dead one
   * would otherwise cost its full timeout before the next is tried). The first to prove the
   * peer wins; later successes are closed unused.
   */
  #dialAll(peerId: string, endpoints: Endpoint[]): Promise<SignalingConnection> {
    if (endpoints.length === 0) {
      return Promise.reject(new MeshError('ERR_CONNECT', 'no address known for this peer'));
    }
    return new Promise((resolve, reject) => {
      let won = false;
      let failures = 0;
      for (const endpoint of endpoints) {
        this.#dialOne(peerId, endpoint).then(
          (connection) => {
            if (won || this.#closed) {
              connection.close(new MeshError('ERR_CLOSED', 'another address answered first'));
              return;
            }
            won = true;
            this.#adopt(connection);
            resolve(connection);
          },
          (err: unknown) => {
            const error =
              err instanceof MeshError ? err : new MeshError('ERR_CONNECT', errorText(err));
            if (!this.#closed) {
              this.#logger.warn('dial failed', {
                peer: peerId,
                host: endpoint.host,
                port: endpoint.port,
                code: error.code,
              });
              this.emit('dial-failed', { peerId, endpoint, error });
            }
            // The last failure is the one reported, as when endpoints were tried in turn.
            if (++failures === endpoints.length && !won) reject(error);
          },
        );
      }
    });
  }

  async #dialOne(peerId: string, endpoint: Endpoint): Promise<SignalingConnection> {
    const connection = await this.#server.connect(
      endpoint.host,
      endpoint.port,
      endpoint.publicKey,
      DIAL_TIMEOUT_MS,
    );
    if (this.#closed) {
      connection.close(new MeshError('ERR_CLOSED', 'node is shutting down'));
      throw new MeshError('ERR_CLOSED', 'node is shutting down');
    }
    if (connection.peer?.id !== peerId) {
      // Only possible without an expected key; the advert pinned it otherwise.
      connection.close(new MeshError('ERR_PEER_KEY_MISMATCH', 'reached a different peer'));
      throw new MeshError('ERR_PEER_KEY_MISMATCH', 'the address answered as another peer');
    }
    return connection;
  }

  #adopt(connection: SignalingConnection): void {
    const peer = connection.peer;
    if (this.#closed || !peer) {
      connection.close(new MeshError('ERR_CLOSED', 'not accepting connections'));
      return;
    }
    const list = this.#byPeer.get(peer.id) ?? [];
    if (list.includes(connection)) return;
    list.push(connection);
    this.#byPeer.set(peer.id, list);
    this.#lastUse.set(connection, Date.now());
    connection.on('message', () => this.#lastUse.set(connection, Date.now()));
    connection.on('close', () => {
      const remaining = (this.#byPeer.get(peer.id) ?? []).filter((c) => c !== connection);
      if (remaining.length === 0) this.#byPeer.delete(peer.id);
      else this.#byPeer.set(peer.id, remaining);
    });
    this.emit('connection', connection);
  }

  #closeIdle(): void {
    const now = Date.now();
    for (const list of this.#byPeer.values()) {
      for (const connection of [...list]) {
        const idleFor = now - (this.#lastUse.get(connection) ?? now);
        if (idleFor > this.#idleMs && !this.#inUse(connection)) {
          connection.close(new MeshError('ERR_IDLE', 'connection unused'));
        }
      }
    }
  }
}
