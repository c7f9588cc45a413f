import nacl from 'tweetnacl';
import { compareBytes, concatBytes, readU32BE, utf8 } from './bytes.js';
import { requireKey } from './guards.js';

const SAFETY_LABEL = utf8('meshcall/safety/v1');
const GROUPS = 6;
const GROUP_BYTES = 5;

/**
 * Digits both people read aloud to confirm no one sits in the middle. Sorting the keys makes
 * both screens show the same code. Each group reduces 40 bits mod 10^5, so the bias is
 * negligible; six groups give about 100 bits, far beyond what an attacker can grind.
 */
export function safetyCode(a: Uint8Array, b: Uint8Array): string {
  requireKey(a, nacl.sign.publicKeyLength, 'first public key');
  requireKey(b, nacl.sign.publicKeyLength, 'second public key');
  const [low, high] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  const digest = nacl.hash(concatBytes(SAFETY_LABEL, low, high));
  const groups: string[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const offset = i * GROUP_BYTES;
    const value = digest[offset]! * 2 ** 32 + readU32BE(digest, offset + 1);
    groups.push(String(value % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}
