import nacl from 'tweetnacl';
import { concatBytes, utf8 } from './bytes.js';
import { CryptoMisuseError } from './errors.js';
import { peerIdFromPublicKey } from './identity.js';
import { hmacSha512 } from './kdf.js';
import { x25519, x25519Base } from './primitives.js';

/** The key material of the exchange: ephemerals, signed transcripts and session derivation. */

export type RandomSource = (length: number) => Uint8Array;

export interface SessionKeys {
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly peerPublicKey: Uint8Array;
  readonly peerId: string;
}

export interface EphemeralKeys {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

const TRANSCRIPT_LABEL = utf8('meshcall/ake/v1');
const RESPONDER_LABEL = utf8('meshcall/ake/v1/responder');
const INITIATOR_LABEL = utf8('meshcall/ake/v1/initiator');
const KEYS_LABEL = utf8('meshcall/ake/v1/keys');
const SESSION_LABEL = utf8('meshcall/ake/v1/session');
const SCALAR_LENGTH = nacl.scalarMult.scalarLength;

/** Same construction as nacl.box.keyPair, with the randomness injectable for known-answer tests. */
export function newEphemeral(random: RandomSource = (n) => nacl.randomBytes(n)): EphemeralKeys {
  const drawn = random(SCALAR_LENGTH);
  if (!(drawn instanceof Uint8Array) || drawn.length !== SCALAR_LENGTH) {
    throw new CryptoMisuseError('ERR_BAD_ARGUMENT', `random(${SCALAR_LENGTH}) returned bad bytes`);
  }
  // Copied because we wipe our secret later and must not wipe a buffer the source may reuse.
  const secretKey = drawn.slice();
  return { secretKey, publicKey: x25519Base(secretKey) };
}

/**
 * Null when the peer's point has small order: the result would be all zeros whatever our secret
 * is, so the "shared" secret would be known to anyone watching.
 */
export function sharedSecret(
  secretKey: Uint8Array,
  peerEphemeralKey: Uint8Array,
): Uint8Array | null {
  const shared = x25519(secretKey, peerEphemeralKey);
  return shared.reduce((acc, byte) => acc | byte, 0) === 0 ? null : shared;
}

/** What the responder signs: the hello and its own reply up to the signature. */
export function responderSignedData(hello: Uint8Array, replySignedPart: Uint8Array): Uint8Array {
  const transcript = nacl.hash(concatBytes(TRANSCRIPT_LABEL, hello, replySignedPart));
  return concatBytes(RESPONDER_LABEL, transcript);
}

/** What the initiator signs: the hello and the whole reply, so both identities are bound. */
export function initiatorSignedData(hello: Uint8Array, reply: Uint8Array): Uint8Array {
  const transcript = nacl.hash(concatBytes(TRANSCRIPT_LABEL, hello, reply));
  return concatBytes(INITIATOR_LABEL, transcript);
}

/**
 * Both sides compute the same two direction keys and swap them by role, so a key is only ever
 * used to send in one direction and nonces from the two directions cannot collide.
 */
export function deriveSession(
  role: 'initiator' | 'responder',
  shared: Uint8Array,
  messages: readonly [hello: Uint8Array, reply: Uint8Array, finish: Uint8Array],
  peerPublicKey: Uint8Array,
): SessionKeys {
  const transcript = nacl.hash(concatBytes(...messages));
  const okm = hmacSha512(shared, concatBytes(KEYS_LABEL, transcript));
  const initiatorToResponder = okm.slice(0, 32);
  const responderToInitiator = okm.slice(32, 64);
  okm.fill(0);
  const isInitiator = role === 'initiator';
  return {
    sendKey: isInitiator ? initiatorToResponder : responderToInitiator,
    receiveKey: isInitiator ? responderToInitiator : initiatorToResponder,
    sessionId: nacl.hash(concatBytes(SESSION_LABEL, transcript)).slice(0, 16),
    peerPublicKey: peerPublicKey.slice(),
    peerId: peerIdFromPublicKey(peerPublicKey),
  };
}
