import type { ApiErrorCode } from '../../protocol/api.js';
import type { MessageId, Msg } from '../i18n/catalog.js';
import { msg } from '../i18n/catalog.js';

/**
 * Every API error code as people read it: a short heading and a sentence that says what
 * happened and what to do. Complete by type, so a new code fails the type check until it has
 * words; the node's own `message` (English, often technical) is never shown, only logged.
 */
const ERRORS: Record<ApiErrorCode, readonly [title: MessageId, sentence: MessageId]> = {
  ERR_BAD_COMMAND: ['error.badCommand', 'prof.err.badCommand'],
  ERR_UNKNOWN_PEER: ['error.unknownPeer', 'prof.err.unknownPeer'],
  ERR_NOT_IN_CALL: ['error.notInCall', 'prof.err.notInCall'],
  ERR_ALREADY_IN_CALL: ['error.alreadyInCall', 'prof.err.alreadyInCall'],
  ERR_NO_SUCH_INVITE: ['error.noSuchInvite', 'prof.err.noSuchInvite'],
  ERR_INVITE_TIMEOUT: ['error.noAnswer', 'prof.err.inviteTimeout'],
  ERR_KEY_CHANGED: ['error.keyChanged', 'prof.err.keyChanged'],
  ERR_INTERNAL: ['error.internal', 'prof.err.internal'],
  ERR_NO_FRAME: ['error.noFrame', 'prof.err.noFrame'],
  ERR_EXPORT_FAILED: ['error.exportFailed', 'prof.err.exportFailed'],
  ERR_RECORD_FAILED: ['prof.title.recordFailed', 'prof.err.recordFailed'],
  ERR_NO_PARTY: ['prof.title.party', 'prof.err.noParty'],
  ERR_PARTY_STALLED: ['prof.title.party', 'prof.err.partyStalled'],
  ERR_BAD_SOURCE: ['error.badSource', 'prof.err.badSource'],
  ERR_CAMERA_UNAVAILABLE: ['error.cameraUnavailable', 'prof.err.cameraUnavailable'],
  ERR_FILE_UNAVAILABLE: ['error.fileUnavailable', 'prof.err.fileUnavailable'],
  ERR_UNKNOWN_FILTER: ['error.unknownFilter', 'prof.err.unknownFilter'],
  ERR_BAD_SETTINGS: ['error.badSettings', 'prof.err.badSettings'],
  ERR_CAPTURE_FAILED: ['error.captureFailed', 'prof.err.captureFailed'],
  ERR_BAD_IMAGE: ['error.noFrame', 'prof.err.badImage'],
  ERR_FRAME_TOO_LARGE: ['error.connectionLost', 'prof.err.tooMuchData'],
  ERR_FRAME_TIMEOUT: ['error.connectionLost', 'prof.err.stalled'],
  ERR_HANDSHAKE_TIMEOUT: ['error.noAnswer', 'prof.err.handshakeTimeout'],
  ERR_AUTH_FAILED: ['error.identity', 'prof.err.identity'],
  ERR_PEER_KEY_MISMATCH: ['error.identity', 'prof.err.identity'],
  ERR_PEER_ABORTED: ['error.connectionLost', 'prof.err.peerAborted'],
  ERR_PROTOCOL: ['error.connect', 'prof.err.protocol'],
  ERR_BAD_MESSAGE: ['error.connect', 'prof.err.protocol'],
  ERR_CONNECT: ['error.connect', 'prof.err.connect'],
  ERR_CONNECTION_LOST: ['error.connectionLost', 'prof.err.connectionLost'],
  ERR_TOO_MANY_CONNECTIONS: ['error.connect', 'prof.err.tooManyConnections'],
  ERR_RATE_LIMITED: ['prof.title.tooFast', 'prof.err.rateLimited'],
  ERR_DUPLICATE: ['error.connect', 'prof.err.duplicate'],
  ERR_IDLE: ['error.connectionLost', 'prof.err.idle'],
  ERR_LINK_FAILED: ['error.linkFailed', 'prof.err.linkFailed'],
  ERR_HEARTBEAT_TIMEOUT: ['error.connectionLost', 'prof.err.heartbeat'],
  ERR_CLOSED: ['error.connectionLost', 'prof.err.closed'],
};

function entry(code: string): readonly [MessageId, MessageId] | undefined {
  return Object.hasOwn(ERRORS, code) ? ERRORS[code as ApiErrorCode] : undefined;
}

/** The heading for an error code; a code newer than this interface gets a generic one. */
export function errorTitle(code: string): Msg {
  return msg(entry(code)?.[0] ?? 'error.generic');
}

/** What happened and what to do, for an error code (a newer code: a generic sentence). */
export function errorSentence(code: string): Msg {
  return msg(entry(code)?.[1] ?? 'prof.err.unknown');
}

/**
 * Why a member left (MemberLeftReason), a call ended (CallEndedReason) or an invite was
 * declined, as a sentence with what to do.
 * A reason we do not know (a declining peer may send any words) gets a neutral sentence: a
 * peer's text is never shown as if it were ours.
 */
export function reasonSentence(reason: string): Msg {
  switch (reason) {
    case 'left':
      return msg('prof.reason.left');
    case 'lost':
      return msg('prof.reason.lost');
    case 'failed':
      return msg('prof.reason.failed');
    case 'quit':
      return msg('prof.reason.quit');
    case 'merged':
      return msg('prof.reason.merged');
    case 'declined':
      return msg('prof.reason.declined');
    case 'no answer':
      return msg('prof.reason.noAnswer');
    case 'everyone left':
      return msg('prof.reason.everyoneLeft');
    case 'busy':
      return msg('prof.reason.busy');
    default:
      return msg('prof.reason.other');
  }
}

/** The node's own words stay out of the page; the console keeps them for whoever debugs. */
export function logNodeText(event: { event: string; code?: string; message?: string }): void {
  if (event.message === undefined) return;
  // eslint-disable-next-line no-console
  console.warn(`meshcall: ${event.event} ${event.code ?? ''}: ${event.message}`);
}
