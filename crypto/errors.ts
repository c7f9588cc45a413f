import { CodedError } from '../protocol/errors.js';

export type CryptoMisuseCode =
  | 'ERR_KEY_LENGTH'
  | 'ERR_BAD_ARGUMENT'
  | 'ERR_BAD_ENCODING'
  | 'ERR_HANDSHAKE_STATE'
  | 'ERR_COUNTER_EXHAUSTED'
  | 'ERR_BAD_IDENTITY_FILE'
  | 'ERR_BAD_KNOWN_PEERS_FILE';

/**
 * Thrown for programming errors and local corruption, never for bytes that came from the
 * network: those get a typed `{ ok: false, reason }` result so a hostile peer cannot crash us.
 * `code` is the stable part callers may branch on; the message is for humans.
 */
export class CryptoMisuseError extends CodedError<CryptoMisuseCode> {
  override readonly name = 'CryptoMisuseError';
}
