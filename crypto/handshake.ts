import { SIGN_PUBLIC_KEY_LENGTH, signDetached, verifyDetached } from './primitives.js';
import { equalBytes } from './bytes.js';
import { CryptoMisuseError } from './errors.js';
import { requireBytes, requireKey } from './guards.js';
import {
  deriveSession,
  initiatorSignedData,
  newEphemeral,
  responderSignedData,
  sharedSecret,
  type EphemeralKeys,
  type RandomSource,
  type SessionKeys,
} from './handshake-keys.js';
import {
  encodeFinish,
  encodeHello,
  encodeReply,
  encodeReplySignedPart,
  parseCookie,
  parseFinish,
  parseHello,
  parseReply,
  type HandshakeFailure,
} from './handshake-wire.js';
import { peerIdFromPublicKey, requireIdentity, type IdentityKeys } from './identity.js';

/*
 * SIGMA-style exchange in three messages:
 *   hello  I→R  idI ‖ ephI
 *   reply  R→I  idR ‖ ephR ‖ sign_R(transcript so far)
 *   finish I→R  sign_I(hello ‖ reply)
 * Each signature covers both identity keys and both ephemerals, so neither side can be made to
 * believe it talks to someone else (no identity misbinding), and session keys hash the whole
 * transcript. Every object runs exactly one exchange; after any failure it refuses further use.
 */

export type { HandshakeFailure } from './handshake-wire.js';
export type { RandomSource, SessionKeys } from './handshake-keys.js';

export type HandshakeRejected = { ok: false; reason: HandshakeFailure };

export interface HandshakeInitiatorOptions {
  /** The key the peer advertised in discovery; any other key is refused even if it signs well. */
  readonly expectedPeerKey?: Uint8Array;
  /** Source of the ephemeral secret; only tests should set it. */
  readonly random?: RandomSource;
}

export interface HandshakeResponderOptions {
  readonly random?: RandomSource;
}

type WithoutSecrets = { phase: 'idle' | 'done' | 'failed' };

function rejected(reason: HandshakeFailure): HandshakeRejected {
  return { ok: false, reason };
}

function stateError(action: string, phase: string): CryptoMisuseError {
  return new CryptoMisuseError('ERR_HANDSHAKE_STATE', `cannot ${action}: handshake is ${phase}`);
}

export class HandshakeInitiator {
  readonly #identity: IdentityKeys;
  readonly #expectedPeerKey: Uint8Array | undefined;
  readonly #random: RandomSource | undefined;
  #state:
    | WithoutSecrets
    | { phase: 'started'; ephemeral: EphemeralKeys; hello: Uint8Array; cookied: boolean } = {
    phase: 'idle',
  };

  constructor(identity: IdentityKeys, options: HandshakeInitiatorOptions = {}) {
    requireIdentity(identity);
    if (options.expectedPeerKey !== undefined) {
      requireKey(options.expectedPeerKey, SIGN_PUBLIC_KEY_LENGTH, 'expected peer key');
    }
    this.#identity = identity;
    this.#expectedPeerKey = options.expectedPeerKey?.slice();
    this.#random = options.random;
  }

  start(): Uint8Array {
    if (this.#state.phase !== 'idle') throw stateError('start', this.#state.phase);
    const ephemeral = newEphemeral(this.#random);
    const hello = encodeHello(this.#identity.publicKey, ephemeral.publicKey);
    this.#state = { phase: 'started', ephemeral, hello, cookied: false };
    return hello.slice();
  }

  /**
   * A busy responder answered with a cookie: the hello to send again, now carrying it. Only one
   * cookie per exchange, so two responders (or one attacker) cannot keep us bouncing.
   */
  receiveCookie(message: Uint8Array): { ok: true; hello: Uint8Array } | HandshakeRejected {
    const state = this.#state;
    if (state.phase !== 'started') throw stateError('receive a cookie', state.phase);
    requireBytes(message, 'cookie');
    const parsed = parseCookie(message.slice());
    if (!parsed.ok || state.cookied) {
      state.ephemeral.secretKey.fill(0);
      this.#state = { phase: 'failed' };
      return rejected(parsed.ok ? 'repeated-cookie' : parsed.reason);
    }
    const hello = encodeHello(
      this.#identity.publicKey,
      state.ephemeral.publicKey,
      parsed.cookie.slice(),
    );
    this.#state = { ...state, hello, cookied: true };
    return { ok: true, hello: hello.slice() };
  }

  receiveReply(
    reply: Uint8Array,
  ): { ok: true; finish: Uint8Array; session: SessionKeys } | HandshakeRejected {
    const state = this.#state;
    if (state.phase !== 'started') throw stateError('receive a reply', state.phase);
    requireBytes(reply, 'reply');
    this.#state = { phase: 'failed' };
    try {
      const result = this.#answer(state.hello, state.ephemeral.secretKey, reply.slice());
      if (result.ok) this.#state = { phase: 'done' };
      return result;
    } finally {
      state.ephemeral.secretKey.fill(0);
    }
  }

  #answer(
    hello: Uint8Array,
    ephemeralSecret: Uint8Array,
    replyBytes: Uint8Array,
  ): { ok: true; finish: Uint8Array; session: SessionKeys } | HandshakeRejected {
    const reply = parseReply(replyBytes);
    if (!reply.ok) return reply;
    const peerKey = reply.identityKey;
    if (equalBytes(peerKey, this.#identity.publicKey)) return rejected('reflected');
    if (this.#expectedPeerKey !== undefined && !equalBytes(peerKey, this.#expectedPeerKey)) {
      return rejected('unexpected-key');
    }
    const signed = responderSignedData(hello, reply.signedPart);
    if (!verifyDetached(signed, reply.signature, peerKey)) {
      return rejected('bad-signature');
    }
    const shared = sharedSecret(ephemeralSecret, reply.ephemeralKey);
    if (shared === null) return rejected('weak-key');
    try {
      const signature = signDetached(
        initiatorSignedData(hello, replyBytes),
        this.#identity.secretKey,
      );
      const finish = encodeFinish(signature);
      const session = deriveSession('initiator', shared, [hello, replyBytes, finish], peerKey);
      return { ok: true, finish, session };
    } finally {
      shared.fill(0);
    }
  }
}

export class HandshakeResponder {
  readonly #identity: IdentityKeys;
  readonly #random: RandomSource | undefined;
  #state:
    | WithoutSecrets
    | {
        phase: 'replied';
        hello: Uint8Array;
        reply: Uint8Array;
        shared: Uint8Array;
        peerKey: Uint8Array;
      } = { phase: 'idle' };

  constructor(identity: IdentityKeys, options: HandshakeResponderOptions = {}) {
    requireIdentity(identity);
    this.#identity = identity;
    this.#random = options.random;
  }

  /**
   * The reply reveals our identity before the initiator has proved theirs; that is acceptable
   * because identities are public in discovery adverts anyway.
   */
  receiveHello(
    helloBytes: Uint8Array,
  ):
    { ok: true; reply: Uint8Array; peerPublicKey: Uint8Array; peerId: string } | HandshakeRejected {
    if (this.#state.phase !== 'idle') throw stateError('receive a hello', this.#state.phase);
    requireBytes(helloBytes, 'hello');
    this.#state = { phase: 'failed' };
    const hello = helloBytes.slice();
    const parsed = parseHello(hello);
    if (!parsed.ok) return parsed;
    if (equalBytes(parsed.identityKey, this.#identity.publicKey)) return rejected('reflected');
    const ephemeral = newEphemeral(this.#random);
    try {
      const shared = sharedSecret(ephemeral.secretKey, parsed.ephemeralKey);
      if (shared === null) return rejected('weak-key');
      const signedPart = encodeReplySignedPart(this.#identity.publicKey, ephemeral.publicKey);
      const signature = signDetached(
        responderSignedData(hello, signedPart),
        this.#identity.secretKey,
      );
      const reply = encodeReply(signedPart, signature);
      const peerKey = parsed.identityKey.slice();
      this.#state = { phase: 'replied', hello, reply, shared, peerKey };
      return {
        ok: true,
        reply: reply.slice(),
        peerPublicKey: peerKey.slice(),
        peerId: peerIdFromPublicKey(peerKey),
      };
    } finally {
      ephemeral.secretKey.fill(0);
    }
  }

  receiveFinish(finishBytes: Uint8Array): { ok: true; session: SessionKeys } | HandshakeRejected {
    const state = this.#state;
    if (state.phase !== 'replied') throw stateError('receive a finish', state.phase);
    requireBytes(finishBytes, 'finish');
    this.#state = { phase: 'failed' };
    try {
      const finish = finishBytes.slice();
      const parsed = parseFinish(finish);
      if (!parsed.ok) return parsed;
      const signed = initiatorSignedData(state.hello, state.reply);
      if (!verifyDetached(signed, parsed.signature, state.peerKey)) {
        return rejected('bad-signature');
      }
      const session = deriveSession(
        'responder',
        state.shared,
        [state.hello, state.reply, finish],
        state.peerKey,
      );
      this.#state = { phase: 'done' };
      return { ok: true, session };
    } finally {
      state.shared.fill(0);
    }
  }
}
