/**
 * Every stable error code an `error` event can carry. The lists live here, not with the
 * errors that use them (p2p/base/errors.ts, main/media/errors.ts), because the API schema
 * must name them and protocol/ imports no layer above it. Front ends and tests match on
 * codes, never on message text.
 */

/** Codes of the mesh: connections, handshakes, links (MeshError). */
export const MESH_ERROR_CODES = [
  'ERR_FRAME_TOO_LARGE',
  'ERR_FRAME_TIMEOUT',
  'ERR_HANDSHAKE_TIMEOUT',
  'ERR_AUTH_FAILED',
  'ERR_PEER_KEY_MISMATCH',
  'ERR_PEER_ABORTED',
  'ERR_PROTOCOL',
  'ERR_BAD_MESSAGE',
  'ERR_CONNECT',
  'ERR_CONNECTION_LOST',
  'ERR_TOO_MANY_CONNECTIONS',
  'ERR_RATE_LIMITED',
  'ERR_DUPLICATE',
  'ERR_IDLE',
  'ERR_LINK_FAILED',
  'ERR_HEARTBEAT_TIMEOUT',
  'ERR_CLOSED',
] as const;
export type MeshErrorCode = (typeof MESH_ERROR_CODES)[number];

/** Codes of capture, filters and encoding (MediaError). */
export const MEDIA_ERROR_CODES = [
  'ERR_BAD_SOURCE',
  'ERR_CAMERA_UNAVAILABLE',
  'ERR_FILE_UNAVAILABLE',
  'ERR_UNKNOWN_FILTER',
  'ERR_BAD_SETTINGS',
  'ERR_CAPTURE_FAILED',
  'ERR_BAD_IMAGE',
] as const;
export type MediaErrorCode = (typeof MEDIA_ERROR_CODES)[number];

/** Codes of the session itself: commands that cannot be carried out. */
export const SESSION_ERROR_CODES = [
  'ERR_BAD_COMMAND',
  'ERR_UNKNOWN_PEER',
  'ERR_NOT_IN_CALL',
  'ERR_ALREADY_IN_CALL',
  'ERR_NO_SUCH_INVITE',
  'ERR_INVITE_TIMEOUT',
  'ERR_KEY_CHANGED',
  'ERR_INTERNAL',
  'ERR_NO_FRAME',
  'ERR_EXPORT_FAILED',
  'ERR_RECORD_FAILED',
  'ERR_NO_PARTY',
  'ERR_PARTY_STALLED',
] as const;

export const API_ERROR_CODES = [
  ...SESSION_ERROR_CODES,
  ...MEDIA_ERROR_CODES,
  ...MESH_ERROR_CODES,
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
