import nacl from 'tweetnacl';
import { toHex } from '../../crypto/bytes.js';

/** Random 128-bit identifier (calls, chat messages) as 32 lowercase hex digits. */
export function randomId(): string {
  return toHex(nacl.randomBytes(16));
}

export const HEX_ID = /^[0-9a-f]{32}$/;
