import type { ApiErrorCode } from '../../protocol/api.js';
import type { MessageId, Text } from '../i18n/catalog.js';
import { msg } from '../i18n/catalog.js';

const TITLES: Partial<Record<ApiErrorCode, MessageId>> = {
  ERR_BAD_COMMAND: 'error.badCommand',
  ERR_UNKNOWN_PEER: 'error.unknownPeer',
  ERR_NOT_IN_CALL: 'error.notInCall',
  ERR_ALREADY_IN_CALL: 'error.alreadyInCall',
  ERR_NO_SUCH_INVITE: 'error.noSuchInvite',
  ERR_INVITE_TIMEOUT: 'error.noAnswer',
  ERR_KEY_CHANGED: 'error.keyChanged',
  ERR_INTERNAL: 'error.internal',
  ERR_NO_FRAME: 'error.noFrame',
  ERR_EXPORT_FAILED: 'error.exportFailed',
  ERR_BAD_SOURCE: 'error.badSource',
  ERR_CAMERA_UNAVAILABLE: 'error.cameraUnavailable',
  ERR_FILE_UNAVAILABLE: 'error.fileUnavailable',
  ERR_UNKNOWN_FILTER: 'error.unknownFilter',
  ERR_BAD_SETTINGS: 'error.badSettings',
  ERR_CAPTURE_FAILED: 'error.captureFailed',
  ERR_CONNECT: 'error.connect',
  ERR_CONNECTION_LOST: 'error.connectionLost',
  ERR_AUTH_FAILED: 'error.identity',
  ERR_PEER_KEY_MISMATCH: 'error.identity',
  ERR_LINK_FAILED: 'error.linkFailed',
  ERR_HANDSHAKE_TIMEOUT: 'error.noAnswer',
};

/**
 * A short, readable heading for an error code (the event's message gives the detail, in
 * English: the node has no locale). A code newer than this interface gets its own words.
 */
export function errorTitle(code: string): Text {
  const known = TITLES[code as ApiErrorCode];
  if (known) return msg(known);
  const words = code.replace(/^ERR_/, '').replace(/_/g, ' ').toLowerCase().trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : msg('error.generic');
}
