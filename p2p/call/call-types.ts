import type { CallLink } from './call-link.js';
import type { MeshError } from '../base/errors.js';
import type { ChatMessage } from '../chat/chat-log.js';
import type { ReceivedFrame } from '../media/receiver.js';
import type { ReceivedVoice } from '../media/voice-receiver.js';
import type { PlayoutFrame } from './voice-playout.js';
import type { EncodeTarget } from '../media/quality-controller.js';
import type { Roster } from '../signaling/messages.js';
import type { MemberLeftReason } from '../../protocol/api.js';
import type { ChatAuthor } from '../chat/chat-log.js';
import type { Logger } from '../base/logger.js';
import type { VideoCodec } from '../media/frame.js';
import type { LinkFactory } from './call-link.js';
import type { HistoryBudget } from './call-chat.js';
import type { CallTimings } from './liveness.js';

export type { ChatMessage } from '../chat/chat-log.js';
export type { MemberMediaStats } from './call-media.js';
export type { CallTimings } from './liveness.js';

export interface CallOptions {
  id?: string;
  local: ChatAuthor;
  logger?: Logger;
  timings?: Partial<CallTimings>;
  /** Makes the call's links; the call owns and closes what it makes. Default: PeerLink. */
  linkFactory?: LinkFactory;
  /** The roster we gossip: the members, how to reach them, a fresh ticket for each. */
  describeRoster: () => Roster;
  /** How much chat history one member may have us resend. Default: one full history per 30 s. */
  historyBudget?: HistoryBudget;
  /** Codecs our front end decodes (members send us only those). Default h264 and jpeg. */
  decode?: readonly VideoCodec[] | undefined;
  /** Where watch parties keep their pieces, a folder per party. Default: under the tmpdir. */
  partyCacheDir?: string | undefined;
}

export type MemberState = 'connecting' | 'connected' | 'reconnecting' | 'left';

export interface MemberIdentity {
  readonly id: string;
  readonly name: string;
  readonly publicKey: Uint8Array;
}

/** What a member sent beyond its budgets: control messages and chat dropped unread. */
export interface BudgetStats {
  overBudget: number;
}

export interface MemberView {
  readonly id: string;
  readonly name: string;
  readonly state: MemberState;
}

export interface CallEvents {
  'member-joined': [MemberView];
  'member-state': [MemberView];
  'member-left': [MemberView, MemberLeftReason, MeshError | null];
  /** A member's link dropped while the member is still in the call: make a new one. */
  'link-lost': [string];
  /** Another member's view of the call: members we are not linked with yet. */
  roster: [{ from: string; roster: Roster }];
  chat: [ChatMessage];
  frame: [ReceivedFrame];
  /** Congestion control asks the capture for another quality or size. */
  'encode-target': [EncodeTarget];
  /** Ask the encoder for a keyframe on this layer (a member joined, switched or lost one). */
  'keyframe-needed': [{ layer: number }];
  /** Some member cannot decode H.264: the capture should (or need no longer) add a JPEG layer. */
  'jpeg-fallback': [{ needed: boolean }];
  'video-state': [{ peer: string; enabled: boolean }];
  /** A voice packet from a member, opened and checked (captureTs on our clock). */
  voice: [ReceivedVoice];
  /** One member's next 20 ms from our own jitter buffer, once per member per tick. */
  'voice-playout': [PlayoutFrame];
  'mute-state': [{ peer: string; muted: boolean }];
  /** The last other member is gone. */
  empty: [];
}

/** A member as the call keeps it (the Call's own state, not shown outside p2p/call). */
export interface Member {
  identity: MemberIdentity;
  state: MemberState;
  link: CallLink | null;
  /** A replacement link being set up while `link` is stalled. */
  pending: CallLink | null;
  saidBye: boolean;
  /** When we last heard anything from this member (any link, any control message). */
  lastHeard: number;
}

export function view(member: Member): MemberView {
  return { id: member.identity.id, name: member.identity.name, state: member.state };
}

export function* openLinks(members: Iterable<Member>): Generator<CallLink> {
  for (const member of members) {
    if (member.state !== 'left' && member.link?.state === 'open') yield member.link;
  }
}

/** Members still in the call (or only those in state `only`), as media sees them. */
export function* mediaMembers(
  members: Iterable<Member>,
  only?: MemberState,
): Generator<{ id: string; link: CallLink | null }> {
  for (const member of members) {
    if (member.state === 'left' || (only && member.state !== only)) continue;
    yield { id: member.identity.id, link: member.link };
  }
}

/** The call closes: every member is marked gone; resolves as their links hang up. */
export function hangUpAll(members: Iterable<Member>): Promise<void>[] {
  const hangUps: Promise<void>[] = [];
  for (const member of members) {
    if (member.state === 'left') continue;
    member.state = 'left';
    if (member.link) hangUps.push(member.link.hangUp());
    member.link = null;
    member.pending?.close();
    member.pending = null;
  }
  return hangUps;
}
