/** Stable error codes: front ends and tests match on these, never on message text. */
export type MeshErrorCode =
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_FRAME_TIMEOUT'
  | 'ERR_HANDSHAKE_TIMEOUT'
  | 'ERR_AUTH_FAILED'
  | 'ERR_PEER_KEY_MISMATCH'
  | 'ERR_PEER_ABORTED'
  | 'ERR_PROTOCOL'
  | 'ERR_BAD_MESSAGE'
  | 'ERR_CONNECT'
  | 'ERR_CONNECTION_LOST'
  | 'ERR_TOO_MANY_CONNECTIONS'
  | 'ERR_DUPLICATE'
  | 'ERR_IDLE'
  | 'ERR_LINK_FAILED'
  | 'ERR_HEARTBEAT_TIMEOUT'
  | 'ERR_CLOSED';

/** An error with a stable code: one shape for every layer's typed errors. */
export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class MeshError extends CodedError<MeshErrorCode> {
  override readonly name = 'MeshError';
}

export function isMeshError(value: unknown): value is MeshError {
  return value instanceof MeshError;
}

/** Text of any thrown value, for logs; never includes key material because no caller puts any in errors. */
export function errorText(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
