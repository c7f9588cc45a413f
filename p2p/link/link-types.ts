import type { SessionKeys } from '../../crypto/index.js';
import type { MeshError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { ControlBudgetLimits } from './control-budget.js';
import type { ControlMessage } from './control-messages.js';

/** A PeerLink's (p2p/link/peer-link.ts) types, and how its channels' messages become bytes. */

export type LinkState = 'connecting' | 'open' | 'closed';

/** Session descriptions and candidates a link asks its owner to carry to the peer. */
export type LinkSignalBody =
  | { t: 'offer'; sdp: string }
  | { t: 'answer'; sdp: string }
  | { t: 'candidate'; candidate: string; mid: string };

export interface PeerLinkEvents {
  open: [];
  signal: [LinkSignalBody];
  control: [ControlMessage];
  media: [Uint8Array];
  /** One sealed voice packet (see p2p/media/voice-sender.ts). */
  voice: [Uint8Array];
  /** One opened watch party frame from the `bulk` channel (see p2p/party/swarm.ts). */
  bulk: [Uint8Array];
  close: [MeshError | null];
}

export interface PeerLinkOptions {
  localId: string;
  peerId: string;
  session: SessionKeys;
  /** The lower peer id offers, so two peers never offer to each other at once. */
  offerer: boolean;
  /** Distinct per link on one signaling session, so a re-made link never reuses a nonce. */
  linkNumber: number;
  logger?: Logger;
  heartbeatMs?: number;
  /** No control traffic for this long means the peer is gone. */
  deadAfterMs?: number;
  /** A link that is not open after this long is given up (its owner may make another). */
  openTimeoutMs?: number;
  /** What the peer may send on the control channel (default CONTROL_BUDGET). */
  controlBudget?: ControlBudgetLimits;
}

export interface PeerLinkStats {
  controlSent: number;
  controlReceived: number;
  mediaSent: number;
  mediaReceived: number;
  voiceSent: number;
  voiceReceived: number;
  rejected: number;
  /** Control messages dropped unread because the peer exceeded its budget. */
  overBudget: number;
  rttMs: number | null;
}

export function toBytes(message: string | Buffer | ArrayBuffer): Uint8Array {
  if (typeof message === 'string') return new TextEncoder().encode(message);
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  return new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
}
