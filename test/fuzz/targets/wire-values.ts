import fc from 'fast-check';
import { peerIdFromPublicKey, toBase64 } from '../../../crypto/index.js';
import { identity } from './fixtures.js';

/**
 * Field values whose validity a schema regex cannot express. Each mixes real values with
 * look-alikes that pass the regex and fail further in: non-canonical base64 (nonzero
 * padding bits), wrong-length keys, ids that do not belong to the key.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Char = fc.nat(63).map((i) => BASE64.charAt(i));

function base64Of(length: number): fc.Arbitrary<string> {
  return fc.uint8Array({ minLength: length, maxLength: length }).map(toBase64);
}

/** `chars` base64 characters and the given padding: passes the regexes, often non-canonical. */
function base64LookAlike(chars: number, padding: string): fc.Arbitrary<string> {
  return fc
    .array(base64Char, { minLength: chars, maxLength: chars })
    .map((c) => c.join('') + padding);
}

export const KEY_SEEDS = [3, 4, 5, 6] as const;

export const realPublicKey = fc.constantFrom(...KEY_SEEDS).map((seed) => identity(seed).publicKey);

export const publicKeyText = fc.oneof(
  { arbitrary: realPublicKey.map(toBase64), weight: 3 },
  { arbitrary: base64Of(32), weight: 1 },
  { arbitrary: base64LookAlike(43, '='), weight: 2 },
);

export const signatureText = fc.oneof(
  { arbitrary: base64Of(64), weight: 2 },
  { arbitrary: base64LookAlike(86, '=='), weight: 1 },
);

/** A 32-byte secret key announcement (media key). */
export const keyText = fc.oneof(base64Of(32), base64LookAlike(43, '='));

/** A member whose id belongs to its key, as a valid roster or invite entry has. */
export const memberOf = fc
  .record({
    publicKey: realPublicKey,
    name: fc.string({ minLength: 1, maxLength: 64 }),
    host: fc.constantFrom('', '10.0.0.2', 'fe80::1', 'meshcall-abc.local'),
    port: fc.integer({ min: 1, max: 65535 }),
  })
  .map(({ publicKey, ...rest }) => ({
    id: peerIdFromPublicKey(publicKey),
    publicKey: toBase64(publicKey),
    ...rest,
  }));
