import type { ApiErrorCode } from '../../protocol/api.js';

const TITLES: Partial<Record<ApiErrorCode, string>> = {
  ERR_BAD_COMMAND: 'That did not work',
  ERR_UNKNOWN_PEER: 'Peer not found',
  ERR_NOT_IN_CALL: 'Not in a call',
  ERR_ALREADY_IN_CALL: 'Already in a call',
  ERR_NO_SUCH_INVITE: 'Invite expired',
  ERR_INVITE_TIMEOUT: 'No answer',
  ERR_KEY_CHANGED: 'Safety warning',
  ERR_INTERNAL: 'Something went wrong',
  ERR_NO_FRAME: 'No picture yet',
  ERR_EXPORT_FAILED: 'Export failed',
  ERR_BAD_SOURCE: 'Video source not usable',
  ERR_CAMERA_UNAVAILABLE: 'Camera unavailable',
  ERR_FILE_UNAVAILABLE: 'Video file unavailable',
  ERR_UNKNOWN_FILTER: 'Unknown filter',
  ERR_BAD_SETTINGS: 'Video settings not usable',
  ERR_CAPTURE_FAILED: 'Camera stopped',
  ERR_CONNECT: 'Could not connect',
  ERR_CONNECTION_LOST: 'Connection lost',
  ERR_AUTH_FAILED: 'Identity check failed',
  ERR_PEER_KEY_MISMATCH: 'Identity check failed',
  ERR_LINK_FAILED: 'Link failed',
  ERR_HANDSHAKE_TIMEOUT: 'No answer',
};

/** A short, readable heading for an error code (the event's message gives the detail). */
export function errorTitle(code: string): string {
  const known = TITLES[code as ApiErrorCode];
  if (known) return known;
  const words = code.replace(/^ERR_/, '').replace(/_/g, ' ').toLowerCase().trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Error';
}
