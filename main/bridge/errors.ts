import { CodedError } from '../../protocol/errors.js';

/** Stable error codes of the user-interface shells: callers match on these, never on text. */
export type BridgeErrorCode =
  /** The bridge could not listen (port taken, address not available). */
  | 'ERR_BRIDGE_LISTEN'
  /** start() after close(), or twice. */
  | 'ERR_BRIDGE_STATE'
  /** A video frame that cannot be put in the ui-protocol layout (bad id, size out of range). */
  | 'ERR_BRIDGE_FRAME'
  /** The desktop shell could not be started. */
  | 'ERR_APP_START';

export class BridgeError extends CodedError<BridgeErrorCode> {
  override readonly name = 'BridgeError';
}

export function isBridgeError(value: unknown): value is BridgeError {
  return value instanceof BridgeError;
}
