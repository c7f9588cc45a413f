import nacl from 'tweetnacl';
import { readU32BE, readU64BE, writeU32BE, writeU64BE } from './bytes.js';

/**
 * Header of a sealed packet: version(1) ‖ keyId(u32 BE) ‖ counter(u64 BE). The header, zero
 * padded, is the nonce; so as long as a (key, keyId) pair never reuses a counter — which each
 * Sealer guarantees — no nonce repeats under a key, even when senders share one key.
 */

export const SEAL_VERSION = 1;
export const HEADER_LENGTH = 13;
export const SEAL_OVERHEAD = HEADER_LENGTH + nacl.secretbox.overheadLength;

export function encodeHeader(keyId: number, counter: bigint): Uint8Array {
  const header = new Uint8Array(HEADER_LENGTH);
  header[0] = SEAL_VERSION;
  writeU32BE(keyId, header, 1);
  writeU64BE(counter, header, 5);
  return header;
}

/** Caller checks the packet holds at least a header. */
export function decodeHeader(packet: Uint8Array): { keyId: number; counter: bigint } {
  return { keyId: readU32BE(packet, 1), counter: readU64BE(packet, 5) };
}

export function nonceFromHeader(header: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(nacl.secretbox.nonceLength);
  nonce.set(header.subarray(0, HEADER_LENGTH));
  return nonce;
}
