import type { KeyObject } from 'node:crypto';
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import type { Primitives } from '../../crypto/index.js';

/**
 * Ed25519 and X25519 through node:crypto (OpenSSL), installed with setPrimitives at start:
 * measured here, 64 verifications take ~12 ms instead of ~370–830 ms in tweetnacl, which is
 * what lets a member's event loop shrug off forged signatures (issue #9, finding 4).
 *
 * Public keys are imported as JWK: Node builds those straight from the raw bytes, while a DER
 * import goes through OpenSSL 3's decoder search, measured 10 times slower (0.34 ms against
 * 0.03 ms a key) — more than the verification itself. Secret keys use fixed PKCS#8 prefixes
 * (RFC 8410); they are few (our identity, one ephemeral per handshake). OpenSSL is stricter than
 * tweetnacl in one respect only: it refuses a signature whose S is not reduced (S ≥ L), which
 * RFC 8032 requires and which no honest signer produces.
 */
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const X25519_SPKI_LENGTH = 12;
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');

function der(prefix: Buffer, key: Uint8Array): Buffer {
  return Buffer.concat([prefix, key]);
}

const privateKey = (prefix: Buffer, seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: der(prefix, seed), format: 'der', type: 'pkcs8' });
const publicKey = (crv: 'Ed25519' | 'X25519', key: Uint8Array): KeyObject =>
  createPublicKey({
    key: { kty: 'OKP', crv, x: Buffer.from(key).toString('base64url') },
    format: 'jwk',
  });

/**
 * A node signs with one identity key all its life: parsing it once saves most of the cost
 * of a signature. Keyed by the array, checked against a copy, so reused buffers are safe.
 */
const signingKeys = new WeakMap<Uint8Array, { seed: Buffer; key: KeyObject }>();

function signingKey(secretKey: Uint8Array): KeyObject {
  const seed = secretKey.subarray(0, 32);
  const cached = signingKeys.get(secretKey);
  if (cached && timingSafeEqual(cached.seed, seed)) return cached.key;
  const key = privateKey(ED25519_PKCS8, seed);
  signingKeys.set(secretKey, { seed: Buffer.from(seed), key });
  return key;
}

export const nativePrimitives: Primitives = {
  name: 'node:crypto',
  sign: (message, secretKey) => new Uint8Array(sign(null, message, signingKey(secretKey))),
  verify(message, signature, key) {
    try {
      return verify(null, message, publicKey('Ed25519', key), signature);
    } catch {
      // A key OpenSSL cannot decode proves nothing, like a bad signature.
      return false;
    }
  },
  x25519(scalar, point) {
    try {
      const shared = diffieHellman({
        privateKey: privateKey(X25519_PKCS8, scalar),
        publicKey: publicKey('X25519', point),
      });
      return new Uint8Array(shared);
    } catch {
      // OpenSSL refuses a small-order point (the result would be all zeros); tweetnacl
      // returns the zeros, and callers check for them: give them the same answer.
      return new Uint8Array(32);
    }
  },
  x25519Base(scalar) {
    const spki = createPublicKey(privateKey(X25519_PKCS8, scalar)).export({
      format: 'der',
      type: 'spki',
    });
    return new Uint8Array(spki.subarray(X25519_SPKI_LENGTH));
  },
};
