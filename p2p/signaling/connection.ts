import type { Socket } from 'node:net';
import type { IdentityKeys, SessionKeys } from '../../crypto/index.js';
import {
  HandshakeInitiator,
  HandshakeResponder,
  Opener,
  Sealer,
  deriveKey,
  isCookieMessage,
} from '../../crypto/index.js';
import { MeshError, errorText } from '../base/errors.js';
import { FrameDecoder, encodeFrame } from './framing.js';
import { decodeJson, encodeJson } from '../base/json-codec.js';
import type { SignalingMessage } from './messages.js';
import { abortSchema, signalingMessageSchema } from './messages.js';
import { PROTOCOL_VERSION } from '../base/limits.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { HelloAdmission } from './handshake-gate.js';

const FRAME_HANDSHAKE = 1;
const FRAME_SEALED = 2;
const FRAME_ABORT = 3;

export interface SignalingTimeouts {
  /** From TCP connect to the peer's sealed hello. */
  handshakeMs: number;
  /** A frame that has started must finish within this (slow-loris defence). */
  partialFrameMs: number;
  /** With keepalive on: ping interval; the connection dies after 3 silent intervals. */
  keepaliveMs: number;
}

export const DEFAULT_TIMEOUTS: SignalingTimeouts = {
  handshakeMs: 5000,
  partialFrameMs: 5000,
  keepaliveMs: 2000,
};

/** Who is on the other end, proven by the key exchange. */
export interface AuthenticatedPeer {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly name: string;
  /** The peer's own signaling port (from its hello), for reconnecting later. */
  readonly port: number;
  readonly address: string;
}

export interface SignalingConnectionEvents {
  authenticated: [AuthenticatedPeer];
  message: [SignalingMessage];
  close: [MeshError | null];
}

export interface SignalingConnectionOptions {
  role: 'initiator' | 'responder';
  identity: IdentityKeys;
  localName: string;
  localPort: number;
  /** Initiator only: the key the peer advertised; anything else is refused. */
  expectedPeerKey?: Uint8Array;
  timeouts?: Partial<SignalingTimeouts>;
  /** Called for each plaintext abort that arrives after the key exchange (and is ignored). */
  onIgnoredAbort?: () => void;
  /** Responder only: whether to answer a hello, ask for a cookie, or refuse (rate limits). */
  admitHello?: (hello: Uint8Array) => HelloAdmission;
}

type State = 'handshaking' | 'authenticating' | 'open' | 'closed';

/**
 * One TCP connection between two peers: the key exchange first, then sealed,
 * length-prefixed JSON messages. One failure path: close(err).
 */
export class SignalingConnection extends TypedEmitter<SignalingConnectionEvents> {
  readonly role: 'initiator' | 'responder';
  readonly remoteAddress: string;
  #state: State = 'handshaking';
  #peer: AuthenticatedPeer | null = null;
  #session: SessionKeys | null = null;
  #sealer: Sealer | null = null;
  readonly #opener = new Opener({ windowSize: 64 });
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder();
  readonly #options: SignalingConnectionOptions;
  readonly #timeouts: SignalingTimeouts;
  readonly #initiator: HandshakeInitiator | null;
  readonly #responder: HandshakeResponder | null;
  #handshakeTimer: NodeJS.Timeout | null = null;
  #partialTimer: NodeJS.Timeout | null = null;
  #keepaliveTimer: NodeJS.Timeout | null = null;
  #lastReceived = Date.now();
  #closeError: MeshError | null = null;
  #helloSeen = false;
  #cookieSent = false;

  constructor(socket: Socket, options: SignalingConnectionOptions) {
    super();
    this.#socket = socket;
    this.#options = options;
    this.role = options.role;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    socket.setNoDelay(true);
    if (options.role === 'initiator') {
      this.#initiator = new HandshakeInitiator(
        options.identity,
        options.expectedPeerKey ? { expectedPeerKey: options.expectedPeerKey } : {},
      );
      this.#responder = null;
    } else {
      this.#initiator = null;
      this.#responder = new HandshakeResponder(options.identity);
    }
    this.#handshakeTimer = setTimeout(() => {
      this.close(new MeshError('ERR_HANDSHAKE_TIMEOUT', 'key exchange did not finish in time'));
    }, this.#timeouts.handshakeMs);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => {
      this.close(new MeshError('ERR_CONNECTION_LOST', `socket error: ${err.message}`));
    });
    socket.on('close', () => {
      this.close(new MeshError('ERR_CONNECTION_LOST', 'connection closed by peer'));
    });
    if (this.#initiator) {
      this.#writeFrame(FRAME_HANDSHAKE, this.#initiator.start());
    }
  }

  get state(): State {
    return this.#state;
  }

  get peer(): AuthenticatedPeer | null {
    return this.#peer;
  }

  get sessionKeys(): SessionKeys | null {
    return this.#session;
  }

  get closeError(): MeshError | null {
    return this.#closeError;
  }

  /** Dead-peer detection for connections that must stay up (calls, manual peers). */
  enableKeepalive(): void {
    if (this.#keepaliveTimer || this.#state === 'closed') return;
    this.#keepaliveTimer = setInterval(() => {
      if (Date.now() - this.#lastReceived > 3 * this.#timeouts.keepaliveMs) {
        this.close(new MeshError('ERR_IDLE', 'peer stopped answering'));
        return;
      }
      this.send({ t: 'ping' });
    }, this.#timeouts.keepaliveMs);
  }

  /** Sends a sealed message; false when the connection is not open. */
  send(message: SignalingMessage): boolean {
    if (this.#state !== 'open' || !this.#sealer) return false;
    return this.#writeFrame(FRAME_SEALED, this.#sealer.seal(encodeJson(message)));
  }

  /** Idempotent. With an error before authentication, the peer is told why. */
  close(error: MeshError | null = null): void {
    if (this.#state === 'closed') return;
    const wasHandshaking = this.#state !== 'open';
    this.#state = 'closed';
    this.#closeError = error;
    for (const timer of [this.#handshakeTimer, this.#partialTimer]) {
      if (timer) clearTimeout(timer);
    }
    if (this.#keepaliveTimer) clearInterval(this.#keepaliveTimer);
    if (error && wasHandshaking && error.code !== 'ERR_PEER_ABORTED' && !this.#socket.destroyed) {
      const abort = encodeJson({ code: error.code, message: error.message.slice(0, 300) });
      this.#socket.end(Buffer.from(encodeFrame(concatKind(FRAME_ABORT, abort))));
      setTimeout(() => this.#socket.destroy(), 1000).unref();
    } else {
      this.#socket.destroy();
    }
    this.emit('close', error);
    this.removeAllListeners();
  }

  #writeFrame(kind: number, body: Uint8Array): boolean {
    if (this.#socket.destroyed) return false;
    this.#socket.write(Buffer.from(encodeFrame(concatKind(kind, body))));
    return true;
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'closed') return;
    this.#lastReceived = Date.now();
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    } catch (err) {
      this.close(err instanceof MeshError ? err : new MeshError('ERR_PROTOCOL', errorText(err)));
      return;
    }
    for (const frame of frames) {
      // A frame handler may have closed the connection.
      if (this.#isClosed()) return;
      this.#onFrame(frame);
    }
    this.#armPartialFrameTimer();
  }

  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #armPartialFrameTimer(): void {
    if (this.#partialTimer) clearTimeout(this.#partialTimer);
    this.#partialTimer = null;
    if (this.#state === 'closed' || !this.#decoder.hasPartialFrame) return;
    this.#partialTimer = setTimeout(() => {
      this.close(new MeshError('ERR_FRAME_TIMEOUT', 'a frame was started and never finished'));
    }, this.#timeouts.partialFrameMs);
  }

  #onFrame(frame: Uint8Array): void {
    const kind = frame[0];
    const body = frame.subarray(1);
    if (kind === FRAME_ABORT && this.#state === 'open') {
      // Anyone on the path can forge a plaintext frame; once the channel is sealed, only
      // sealed traffic (or the socket closing) may end it.
      this.#options.onIgnoredAbort?.();
    } else if (kind === FRAME_ABORT) {
      const parsed = decodeJson(body, abortSchema);
      const reason = parsed.ok ? `${parsed.value.code}: ${parsed.value.message}` : 'no reason';
      this.close(new MeshError('ERR_PEER_ABORTED', `peer refused the connection (${reason})`));
    } else if (kind === FRAME_HANDSHAKE && this.#state === 'handshaking') {
      this.#onHandshake(body);
    } else if (kind === FRAME_SEALED && this.#state !== 'handshaking') {
      this.#onSealed(body);
    } else {
      this.close(
        new MeshError(
          'ERR_PROTOCOL',
          `unexpected frame kind ${String(kind)} in state ${this.#state}`,
        ),
      );
    }
  }

  #onHandshake(body: Uint8Array): void {
    if (this.#initiator && isCookieMessage(body)) {
      const result = this.#initiator.receiveCookie(body);
      if (result.ok) this.#writeFrame(FRAME_HANDSHAKE, result.hello);
      else this.close(handshakeError(result.reason));
      return;
    }
    if (this.#initiator) {
      const result = this.#initiator.receiveReply(body);
      if (!result.ok) {
        this.close(handshakeError(result.reason));
        return;
      }
      this.#writeFrame(FRAME_HANDSHAKE, result.finish);
      this.#startSealed(result.session);
      return;
    }
    const responder = this.#responder;
    if (!responder) return;
    if (!this.#helloSeen) {
      if (!this.#admitHello(body)) return;
      const result = responder.receiveHello(body);
      if (!result.ok) {
        this.close(handshakeError(result.reason));
        return;
      }
      this.#helloSeen = true;
      this.#writeFrame(FRAME_HANDSHAKE, result.reply);
      return;
    }
    const result = responder.receiveFinish(body);
    if (!result.ok) {
      this.close(handshakeError(result.reason));
      return;
    }
    this.#startSealed(result.session);
  }

  /** False when the hello gets a cookie or a refusal instead of the expensive reply. */
  #admitHello(hello: Uint8Array): boolean {
    const admission = this.#options.admitHello?.(hello) ?? { verdict: 'proceed' };
    if (admission.verdict === 'proceed') return true;
    if (admission.verdict === 'cookie' && !this.#cookieSent) {
      this.#cookieSent = true;
      this.#writeFrame(FRAME_HANDSHAKE, admission.message);
      return false;
    }
    const why = admission.verdict === 'rate-limited' ? 'from this address' : 'at the moment';
    this.close(new MeshError('ERR_RATE_LIMITED', `too many key exchanges ${why}`));
    return false;
  }

  #startSealed(session: SessionKeys): void {
    this.#session = session;
    this.#sealer = new Sealer(deriveKey(session.sendKey, 'signaling'), 0);
    this.#opener.addKey(0, deriveKey(session.receiveKey, 'signaling'));
    this.#state = 'authenticating';
    // The hello is sent before the state is 'open' on purpose: it is the only message allowed here.
    this.#writeFrame(
      FRAME_SEALED,
      this.#sealer.seal(
        encodeJson({
          t: 'hello',
          v: PROTOCOL_VERSION,
          name: this.#options.localName,
          port: this.#options.localPort,
        } satisfies SignalingMessage),
      ),
    );
  }

  #onSealed(body: Uint8Array): void {
    const opened = this.#opener.open(body);
    if (!opened.ok) {
      this.close(new MeshError('ERR_PROTOCOL', `sealed frame rejected: ${opened.reason}`));
      return;
    }
    const decoded = decodeJson(opened.plaintext, signalingMessageSchema);
    if (!decoded.ok) {
      this.close(new MeshError('ERR_BAD_MESSAGE', decoded.error));
      return;
    }
    const message = decoded.value;
    if (this.#state === 'authenticating') {
      if (message.t !== 'hello' || !this.#session) {
        this.close(new MeshError('ERR_PROTOCOL', `expected hello, got ${message.t}`));
        return;
      }
      this.#state = 'open';
      if (this.#handshakeTimer) clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = null;
      this.#peer = {
        id: this.#session.peerId,
        publicKey: this.#session.peerPublicKey,
        name: message.name,
        port: message.port,
        address: this.remoteAddress,
      };
      this.emit('authenticated', this.#peer);
      return;
    }
    if (message.t === 'hello') {
      this.close(new MeshError('ERR_PROTOCOL', 'second hello'));
      return;
    }
    if (message.t === 'ping') {
      this.send({ t: 'pong' });
      return;
    }
    if (message.t === 'pong') return;
    this.emit('message', message);
  }
}

function concatKind(kind: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = kind;
  out.set(body, 1);
  return out;
}

function handshakeError(reason: string): MeshError {
  switch (reason) {
    case 'unexpected-key':
      return new MeshError(
        'ERR_PEER_KEY_MISMATCH',
        'the peer presented a different key from the one it advertised',
      );
    case 'bad-signature':
      return new MeshError(
        'ERR_AUTH_FAILED',
        'the peer could not prove it holds the key it claims',
      );
    default:
      return new MeshError('ERR_AUTH_FAILED', `key exchange failed: ${reason}`);
  }
}
