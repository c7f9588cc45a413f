import nacl from 'tweetnacl';
import { concatBytes, utf8 } from './bytes.js';
import { requireBytes, requireKey } from './guards.js';

const SHA512_BLOCK_LENGTH = 128;

/** RFC 2104 HMAC over SHA-512; tweetnacl has the hash but not the MAC. */
export function hmacSha512(key: Uint8Array, message: Uint8Array): Uint8Array {
  requireBytes(key, 'key');
  requireBytes(message, 'message');
  const block = new Uint8Array(SHA512_BLOCK_LENGTH);
  block.set(key.length > SHA512_BLOCK_LENGTH ? nacl.hash(key) : key);
  const innerPad = block.map((byte) => byte ^ 0x36);
  const outerPad = block.map((byte) => byte ^ 0x5c);
  const inner = nacl.hash(concatBytes(innerPad, message));
  const mac = nacl.hash(concatBytes(outerPad, inner));
  for (const secret of [block, innerPad, outerPad, inner]) secret.fill(0);
  return mac;
}

/** Labels separate purposes, so one root key can never yield the same subkey twice by accident. */
export function deriveKey(key: Uint8Array, label: string): Uint8Array {
  requireKey(key, 32, 'key');
  const mac = hmacSha512(key, utf8('meshcall/kdf/v1/' + label));
  const subkey = mac.slice(0, 32);
  mac.fill(0);
  return subkey;
}
