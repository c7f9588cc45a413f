import net from 'node:net';
import type { IdentityKeys } from '../../crypto/index.js';
import { MeshError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import type { SignalingConnectionOptions, SignalingTimeouts } from './connection.js';
import { SignalingConnection } from './connection.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import { TokenBucket } from '../base/token-bucket.js';
import type { HandshakeGateStats, HandshakeLimits } from './handshake-gate.js';
import { HandshakeGate } from './handshake-gate.js';

export interface SignalingServerOptions {
  identity: IdentityKeys;
  name: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  logger?: Logger;
  timeouts?: Partial<SignalingTimeouts>;
  /** Connections still in the key exchange, in all and per remote address. */
  maxPending?: number;
  maxPendingPerAddress?: number;
  /** Budgets for answering hellos (handshake-gate.ts); defaults suit a LAN node. */
  handshakeLimits?: Partial<HandshakeLimits>;
  /** How often the counters are logged while they change; default 5 s. */
  summaryMs?: number;
}

export interface SignalingServerEvents {
  /** An inbound connection that finished the key exchange. */
  connection: [SignalingConnection];
  /** An inbound connection closed before authenticating (garbage, forgery, slow-loris...). */
  refused: [{ address: string; error: MeshError }];
}

export interface SignalingStats {
  accepted: number;
  authenticated: number;
  refused: number;
  /** Plaintext abort frames that arrived on authenticated connections (ignored). */
  ignoredAborts: number;
  /** What became of the hellos inbound connections sent. */
  readonly handshakes: HandshakeGateStats;
}

/*
 * Refusals are logged one by one only while this allows; a flood shows up in the periodic
 * summary instead of thousands of lines a second.
 */
const REFUSAL_LOG_RATE = { burst: 20, perSecond: 2 };

/** Listens for peers and dials them; owns every signaling connection it made or accepted. */
export class SignalingServer extends TypedEmitter<SignalingServerEvents> {
  readonly stats: SignalingStats;
  readonly #options: SignalingServerOptions;
  readonly #gate: HandshakeGate;
  readonly #refusalLog = new TokenBucket(REFUSAL_LOG_RATE);
  readonly #summaryTimer: NodeJS.Timeout;
  #lastSummary = '';
  readonly #logger: Logger;
  readonly #server = net.createServer();
  readonly #connections = new Set<SignalingConnection>();
  readonly #pendingByAddress = new Map<string, number>();
  #pending = 0;
  #port = 0;
  #closed = false;

  constructor(options: SignalingServerOptions) {
    super({ logger: options.logger });
    // A copy: setName changes it.
    this.#options = { ...options };
    this.#logger = options.logger ?? silentLogger;
    this.#gate = new HandshakeGate(options.handshakeLimits);
    this.stats = {
      accepted: 0,
      authenticated: 0,
      refused: 0,
      ignoredAborts: 0,
      handshakes: this.#gate.stats,
    };
    this.#lastSummary = this.#summaryText();
    this.#server.on('connection', (socket) => this.#onSocket(socket));
    this.#summaryTimer = setInterval(() => this.#logSummary(), options.summaryMs ?? 5000);
    this.#summaryTimer.unref();
  }

  /** The name our hellos carry from now on (connections already made keep the old one). */
  setName(name: string): void {
    this.#options.name = name;
  }

  get port(): number {
    return this.#port;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(this.#options.port, this.#options.host ?? '0.0.0.0', () => {
        this.#server.off('error', onError);
        const address = this.#server.address();
        this.#port = typeof address === 'object' && address ? address.port : this.#options.port;
        resolve(this.#port);
      });
    });
  }

  /** Dials a peer; resolves once it has proven its identity (and, if given, the expected key). */
  connect(
    host: string,
    port: number,
    expectedPeerKey?: Uint8Array,
    timeoutMs = this.#options.timeouts?.handshakeMs ?? 5000,
  ): Promise<SignalingConnection> {
    if (this.#closed) return Promise.reject(new MeshError('ERR_CLOSED', 'signaling is closed'));
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const connectTimer = setTimeout(() => {
        socket.destroy();
        reject(new MeshError('ERR_CONNECT', `no answer from ${host}:${port}`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(connectTimer);
        reject(
          new MeshError('ERR_CONNECT', `cannot reach ${host}:${port}: ${err.message}`, {
            cause: err,
          }),
        );
      });
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        socket.removeAllListeners('error');
        if (this.#closed) {
          socket.destroy();
          reject(new MeshError('ERR_CLOSED', 'signaling closed while connecting'));
          return;
        }
        const connection = this.#wrap(socket, 'initiator', expectedPeerKey);
        connection.once('authenticated', () => resolve(connection));
        connection.once('close', (error) => {
          reject(error ?? new MeshError('ERR_CLOSED', 'connection closed during key exchange'));
        });
      });
    });
  }

  /** Idempotent; closes every connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#summaryTimer);
    this.#logSummary();
    this.#server.close();
    for (const connection of [...this.#connections]) {
      connection.close(new MeshError('ERR_CLOSED', 'node is shutting down'));
    }
    this.removeAllListeners();
  }

  #onSocket(socket: net.Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    if (this.#closed) {
      socket.destroy();
      return;
    }
    if (this.#gate.refuseOnAccept(address)) {
      this.stats.refused++;
      socket.destroy();
      return;
    }
    const perAddress = this.#pendingByAddress.get(address) ?? 0;
    if (
      this.#pending >= (this.#options.maxPending ?? 64) ||
      perAddress >= (this.#options.maxPendingPerAddress ?? 8)
    ) {
      this.stats.refused++;
      this.#logRefusal('signaling connection refused', {
        address,
        code: 'ERR_TOO_MANY_CONNECTIONS',
      });
      socket.destroy();
      return;
    }
    this.stats.accepted++;
    this.#pending++;
    this.#pendingByAddress.set(address, perAddress + 1);
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      this.#pending--;
      const left = (this.#pendingByAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.#pendingByAddress.delete(address);
      else this.#pendingByAddress.set(address, left);
    };
    const connection = this.#wrap(socket, 'responder', undefined, (hello) =>
      this.#gate.admit(address, hello),
    );
    connection.once('authenticated', () => {
      release();
      this.stats.authenticated++;
      this.emit('connection', connection);
    });
    connection.once('close', (error) => {
      if (!counted) return;
      release();
      this.stats.refused++;
      const reason = error ?? new MeshError('ERR_CLOSED', 'closed during key exchange');
      this.#logRefusal('signaling connection closed before authentication', {
        address,
        code: reason.code,
        reason: reason.message,
      });
      this.emit('refused', { address, error: reason });
    });
  }

  #wrap(
    socket: net.Socket,
    role: 'initiator' | 'responder',
    expectedPeerKey?: Uint8Array,
    admitHello?: SignalingConnectionOptions['admitHello'],
  ): SignalingConnection {
    const connection = new SignalingConnection(socket, {
      role,
      identity: this.#options.identity,
      localName: this.#options.name,
      localPort: this.#port,
      ...(expectedPeerKey ? { expectedPeerKey } : {}),
      ...(this.#options.timeouts ? { timeouts: this.#options.timeouts } : {}),
      ...(admitHello ? { admitHello } : {}),
      onIgnoredAbort: () => {
        this.stats.ignoredAborts++;
      },
    });
    this.#connections.add(connection);
    connection.once('close', () => this.#connections.delete(connection));
    return connection;
  }

  #logRefusal(message: string, fields: Record<string, string>): void {
    if (this.#refusalLog.take()) this.#logger.warn(message, fields);
  }

  /** Logs the counters when they changed since the last summary. */
  #logSummary(): void {
    const text = this.#summaryText();
    if (text === this.#lastSummary) return;
    this.#lastSummary = text;
    this.#logger.info('signaling counters', JSON.parse(text) as Record<string, number>);
  }

  #summaryText(): string {
    const { handshakes, ...rest } = this.stats;
    return JSON.stringify({ ...rest, ...handshakes });
  }
}
