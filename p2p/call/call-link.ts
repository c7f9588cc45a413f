import type { SessionKeys } from '../../crypto/index.js';
import type { MeshError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { ControlMessage } from '../link/control-messages.js';
import type { LinkSignalBody, LinkState, PeerLinkEvents } from '../link/peer-link.js';
import { PeerLink } from '../link/peer-link.js';

/**
 * What a Call needs of a link to one member. PeerLink is the real one (WebRTC); tests hand
 * the call a factory of stand-ins, so the call's logic runs without a network.
 */
export interface CallLink {
  readonly peerId: string;
  readonly state: LinkState;
  /** When the peer was last heard on the control channel (heartbeats included). */
  readonly lastHeard: number;
  readonly clockOffsetMs: number | null;
  readonly mediaBufferedAmount: number;
  readonly stats: { readonly rttMs: number | null; readonly overBudget?: number };
  start(): void;
  handleSignal(signal: LinkSignalBody): void;
  sendControl(message: ControlMessage): boolean;
  /** A keyframe request on an unordered channel (optional: stand-ins use sendControl). */
  sendUrgent?(message: Extract<ControlMessage, { t: 'keyframe' }>): boolean;
  sendMedia(chunk: Uint8Array): boolean;
  sendVoice(packet: Uint8Array): boolean;
  /** Watch party pieces (optional: stand-ins without a bulk channel share no pieces). */
  sendBulk?(frame: Uint8Array): boolean;
  hangUp(graceMs?: number): Promise<void>;
  close(error?: MeshError | null): void;
  on<K extends keyof PeerLinkEvents>(
    event: K,
    listener: (...args: PeerLinkEvents[K]) => void,
  ): unknown;
}

/** What the signaling side decides about a new link; the call adds who it is between. */
export interface LinkSpec {
  peerId: string;
  /** The signaling session the link's keys derive from. */
  session: SessionKeys;
  offerer: boolean;
  /** Never used twice on one signaling session (see LinkNumbers). */
  linkNumber: number;
  openTimeoutMs?: number | undefined;
}

export type LinkFactory = (spec: LinkSpec & { localId: string; logger: Logger }) => CallLink;

/** The real thing: one WebRTC PeerConnection per link. */
export const createPeerLink: LinkFactory = ({ openTimeoutMs, ...spec }) =>
  new PeerLink({ ...spec, ...(openTimeoutMs ? { openTimeoutMs } : {}) });
