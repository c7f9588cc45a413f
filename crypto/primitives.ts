import nacl from 'tweetnacl';
import { requireBytes, requireKey } from './guards.js';

/**
 * The public-key primitives everything signed or exchanged rests on. crypto/ stays free of
 * Node built-ins, so it runs them through this seam: tweetnacl (pure JavaScript) by default,
 * and the node installs a native implementation at start (p2p/base/native-primitives.ts),
 * about 30 times faster for verification — what keeps a flood of forged signatures cheap.
 *
 * Implementations receive lengths already checked (by the functions below) and must agree
 * on every honest input; see test/unit/crypto-primitives-native.test.ts.
 */
export interface Primitives {
  readonly name: string;
  /** Ed25519 detached signature with a NaCl secret key (32-byte seed ‖ 32-byte public key). */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Ed25519; false for any signature that does not verify, never a throw. */
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  /** X25519 scalar × point; all zeros when the point has small order. */
  x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array;
  /** X25519 scalar × base point: the public half of an ephemeral key. */
  x25519Base(scalar: Uint8Array): Uint8Array;
}

export const SIGNATURE_LENGTH = nacl.sign.signatureLength;
export const SIGN_PUBLIC_KEY_LENGTH = nacl.sign.publicKeyLength;
const SIGN_SECRET_KEY_LENGTH = nacl.sign.secretKeyLength;
export const X25519_LENGTH = nacl.scalarMult.scalarLength;

export const naclPrimitives: Primitives = {
  name: 'tweetnacl',
  sign: (message, secretKey) => nacl.sign.detached(message, secretKey),
  verify: (message, signature, publicKey) =>
    nacl.sign.detached.verify(message, signature, publicKey),
  x25519: (scalar, point) => nacl.scalarMult(scalar, point),
  x25519Base: (scalar) => nacl.scalarMult.base(scalar),
};

let installed: Primitives = naclPrimitives;

/** Swaps the implementation for the whole process (the node does this once, at start). */
export function setPrimitives(primitives: Primitives): void {
  installed = primitives;
}

export function currentPrimitives(): Primitives {
  return installed;
}

/** Throws CryptoMisuseError on a malformed secret key (our own mistake, not the network's). */
export function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  requireBytes(message, 'message');
  requireKey(secretKey, SIGN_SECRET_KEY_LENGTH, 'secret key');
  return installed.sign(message, secretKey);
}

/**
 * As tweetnacl draws the line: a public key of the wrong size is our misuse (it throws), a
 * signature of the wrong size is a forgery like any other (false).
 */
export function verifyDetached(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  requireBytes(message, 'message');
  requireKey(publicKey, SIGN_PUBLIC_KEY_LENGTH, 'public key');
  requireBytes(signature, 'signature');
  if (signature.length !== SIGNATURE_LENGTH) return false;
  return installed.verify(message, signature, publicKey);
}

export function x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array {
  requireKey(scalar, X25519_LENGTH, 'scalar');
  requireKey(point, X25519_LENGTH, 'point');
  return installed.x25519(scalar, point);
}

export function x25519Base(scalar: Uint8Array): Uint8Array {
  requireKey(scalar, X25519_LENGTH, 'scalar');
  return installed.x25519Base(scalar);
}
