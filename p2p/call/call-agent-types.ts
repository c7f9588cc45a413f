/** What a CallAgent (call-agent.ts) reports and is made with. */
import type { IdentityKeys } from '../../crypto/index.js';
import type { CallEndedReason, MemberLeftReason } from '../../protocol/api.js';
import type { Logger } from '../base/logger.js';
import type { VideoCodec } from '../media/frame.js';
import type { ConnectionPool, Endpoint } from '../signaling/connection-pool.js';
import type { AuthenticatedPeer } from '../signaling/connection.js';
import type { LinkFactory } from './call-link.js';
import type { CallTimings, MemberView } from './call.js';
import type { CallEvents } from './call-types.js';
import type { GestureEvents } from './call-gestures.js';

/** What the current call reports, passed on as it is. */
type PassedOn = Pick<
  CallEvents,
  | 'chat'
  | 'frame'
  | 'encode-target'
  | 'keyframe-needed'
  | 'jpeg-fallback'
  | 'video-state'
  | 'voice'
  | 'voice-playout'
  | 'mute-state'
>;

export interface CallAgentEvents extends PassedOn {
  /** Invited to a call we had not heard of (we may be in another: the invite waits). */
  invite: [{ call: string; from: AuthenticatedPeer; members: string[] }];
  'invite-sent': [{ call: string; peer: string }];
  'invite-declined': [{ call: string; peer: string; reason: string }];
  'invite-cancelled': [{ call: string; from: string }];
  'invite-timeout': [{ call: string; peer: string; name: string }];
  /** We are in a call now (created, or accepted): media should flow. */
  'call-started': [];
  /** In the call with these members (none yet for a call we created). */
  'call-joined': [{ call: string; members: MemberView[] }];
  'member-joined': [{ call: string; member: MemberView }];
  'member-state': [{ call: string; member: MemberView }];
  'member-left': [{ call: string; member: MemberView; reason: MemberLeftReason; detail?: string }];
  'call-ended': [{ call: string; reason: CallEndedReason }];
  /** Accepting on our own (crossing invites merged) failed as accept() would. */
  'accept-failed': [{ call: string; outcome: Exclude<AcceptOutcome, 'accepted'> }];
  hand: GestureEvents['hand'];
  reaction: GestureEvents['reaction'];
}

export type AcceptOutcome = 'accepted' | 'no-invite' | 'inviter-gone';

export interface CallAgentOptions {
  id: string;
  name: string;
  identity: IdentityKeys;
  pool: Pick<ConnectionPool, 'connect' | 'dialAddress'>;
  /** Where a peer can be reached that we know of (mDNS, a manual address). */
  endpointsOf: (peerId: string) => Endpoint[];
  /** Our signaling port, as rosters tell the other members how to reach us. */
  signalingPort: () => number;
  logger: Logger;
  inviteTimeoutMs?: number | undefined;
  /** A member whose link is not up after this long is dropped from the call. */
  linkTimeoutMs?: number | undefined;
  /** For tests: links without WebRTC, shorter liveness timings. */
  linkFactory?: LinkFactory | undefined;
  callTimings?: Partial<CallTimings> | undefined;
  /** Codecs our front end decodes (members send us only those). Default h264 and jpeg. */
  decode?: readonly VideoCodec[] | undefined;
  /** Where watch parties keep their pieces (<dataDir>/party-cache). */
  partyCacheDir?: string | undefined;
}
