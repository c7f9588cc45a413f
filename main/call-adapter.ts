import { safetyCode } from '../crypto/index.js';
import type { AcceptOutcome, CallAgentOptions } from '../p2p/call/call-agent.js';
import { CallAgent } from '../p2p/call/call-agent.js';
import type { Call, ChatMessage, MemberView } from '../p2p/call/call.js';
import type { Logger } from '../p2p/base/logger.js';
import type { ReceivedFrame } from '../p2p/media/receiver.js';
import type { ReceivedVoice } from '../p2p/media/voice-receiver.js';
import type { OutgoingVoice } from '../p2p/media/voice-sender.js';
import type { PlayoutFrame } from '../p2p/call/voice-playout.js';
import type { EncodeTarget } from '../p2p/media/quality-controller.js';
import type { ConnectionPool } from '../p2p/signaling/connection-pool.js';
import type { SignalingConnection } from '../p2p/signaling/connection.js';
import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type { MemberEventView } from '../protocol/api.js';
import type { GestureCommand } from '../protocol/gesture-api.js';
import type { ApiReports, EventBody } from './api-reports.js';
import { statsEvent } from './call-stats.js';
import { CommandError } from './command-error.js';
import type { PeerDirectory } from './peer-directory.js';

/** The adapter's events that are API events as they stand. */
export const CALL_API_EVENTS = [
  'invite',
  'invite-sent',
  'invite-declined',
  'invite-cancelled',
  'invite-withdrawn',
  'call-joined',
  'member-joined',
  'member-state',
  'member-left',
  'chat',
  'video-state',
  'mute-state',
  'hand',
  'reaction',
  'stats',
] as const;

export type CallAdapterEvents = ApiReports<(typeof CALL_API_EVENTS)[number] | 'call-ended'> & {
  /** We are in a call now (created, or accepted): media should flow. */
  'call-started': [];
  'invite-timeout': [{ call: string; peer: string; name: string }];
  /** Accepting on our own (crossing invites merged) failed as the accept command would. */
  'accept-failed': [unknown];
  frame: [ReceivedFrame];
  /** Congestion control asks the capture for another quality or size. */
  'encode-target': [EncodeTarget];
  /** Ask the encoder for a keyframe on this layer (a member joined, switched or lost one). */
  'keyframe-needed': [{ layer: number }];
  /** Some member cannot decode H.264: the capture should (or need no longer) add a JPEG layer. */
  'jpeg-fallback': [{ needed: boolean }];
  /** A member's voice packet, opened and checked (captureTs on our clock when known). */
  voice: [ReceivedVoice];
  /** One member's next 20 ms from our own jitter buffer, once per member per tick. */
  'voice-playout': [PlayoutFrame];
};

export type { OutgoingVoice, PlayoutFrame, ReceivedVoice };
export { isGestureCommand } from '../protocol/gesture-api.js';

/** What the adapter reads of the peer list; it only tells it whom the user dealt with. */
export type PeerLookup = Pick<
  PeerDirectory,
  'endpoints' | 'view' | 'trustOf' | 'publicKeyOf' | 'isVerified' | 'consent' | 'memberName'
>;

/** The current call's chat and media, for the session; who is in it is the agent's to decide. */
export type CallContent = Pick<
  Call,
  | 'id'
  | 'history'
  | 'sendChat'
  | 'sendFrame'
  | 'announceVideo'
  | 'latestFrame'
  | 'mediaStats'
  | 'party'
>;

export interface CallAdapterOptions extends Omit<CallAgentOptions, 'endpointsOf' | 'pool'> {
  pool: ConnectionPool;
  peers: PeerLookup;
  /** Accept every invite at once (bots and tests), unless the inviter's key changed. */
  autoAccept?: boolean | undefined;
}

const STATS_INTERVAL_MS = 1000;

function refusal(callId: string, outcome: Exclude<AcceptOutcome, 'accepted'>): CommandError {
  switch (outcome) {
    case 'no-invite':
      return new CommandError('ERR_NO_SUCH_INVITE', `no pending invite for call ${callId}`);
    case 'inviter-gone':
      return new CommandError('ERR_CONNECTION_LOST', 'the inviter is gone');
  }
}

/**
 * The session API over the call protocol (CallAgent): user mistakes become CommandErrors,
 * the agent's events become API events, members are shown with safety codes and the
 * verified mark from the peer list. Owns the agent; close() leaves the call.
 */
export class CallAdapter extends TypedEmitter<CallAdapterEvents> {
  readonly #id: string;
  readonly #log: Logger;
  readonly #agent: CallAgent;
  readonly #peers: PeerLookup;
  readonly #localKey: Uint8Array;
  #statsTimer: NodeJS.Timeout | null = null;
  /** Outlives calls: muted before a call means muted in it. */
  #muted = false;
  /** Whom we invited, under the name the peer list showed then. */
  readonly #invitedNames = new Map<string, string>();
  /**
   * The chat of the call we were last in, kept after it ends until the next one starts:
   * front ends keep showing it, and the user may still export it (issue #13).
   */
  #lastChat: { id: string; history: () => readonly ChatMessage[] } | null = null;

  constructor(options: CallAdapterOptions) {
    super({ logger: options.logger });
    const peers = options.peers;
    this.#id = options.id;
    this.#log = options.logger;
    this.#peers = peers;
    this.#localKey = options.identity.publicKey;
    const agent = new CallAgent({ ...options, endpointsOf: (id) => peers.endpoints(id) });
    this.#agent = agent;
    agent.on('invite', ({ call, from, members }) => {
      const trust = peers.trustOf(from.id, from.name, from.publicKey);
      const safety = safetyCode(this.#localKey, from.publicKey);
      const who = { from: from.id, name: from.name, safetyCode: safety, trust, members };
      this.emit('invite', { call, ...who });
      // A bot in a call lets the invite wait, as a person would, rather than hop calls.
      if (options.autoAccept && !agent.call) {
        this.#autoAccept(call, from.id, trust === 'key-changed');
      }
    });
    agent.on('invite-sent', (sent) => this.emit('invite-sent', sent));
    agent.on('invite-declined', (declined) => this.emit('invite-declined', declined));
    agent.on('invite-cancelled', (cancelled) => this.emit('invite-cancelled', cancelled));
    agent.on('invite-timeout', ({ call, peer, name }) => {
      // The name the user saw when inviting, even if the peer renamed or left the list since.
      const shown = this.#invitedNames.get(peer) ?? name;
      this.#invitedNames.delete(peer);
      this.emit('invite-timeout', { call, peer, name: shown });
    });
    agent.on('accept-failed', ({ call, outcome }) => {
      this.emit('accept-failed', refusal(call, outcome));
    });
    agent.on('call-started', () => {
      this.#stopStats();
      this.#statsTimer = setInterval(() => {
        const current = agent.call;
        if (current) this.emit('stats', statsEvent(current));
      }, STATS_INTERVAL_MS);
      agent.call?.setMuted(this.#muted);
      this.#lastChat = agent.call;
      this.emit('call-started');
    });
    agent.on('call-joined', ({ call, members }) => {
      this.emit('call-joined', { call, members: members.map((m) => this.#view(m)) });
    });
    agent.on('member-joined', ({ call, member }) => {
      this.emit('member-joined', { call, ...this.#view(member) });
    });
    agent.on('member-state', ({ call, member }) => {
      this.emit('member-state', { call, ...this.#view(member) });
    });
    agent.on('member-left', ({ call, member, reason, ...detail }) => {
      // Field order as the headless node has always printed it (scripts may rely on it).
      this.emit('member-left', { call, peer: member.id, name: member.name, reason, ...detail });
    });
    agent.on('call-ended', (ended) => {
      this.#stopStats();
      // A copy: the ended call itself (its links and media buffers) is let go.
      const last = this.#lastChat;
      const messages = last?.id === ended.call ? [...last.history()] : [];
      this.#lastChat = last && { id: last.id, history: () => messages };
      this.emit('call-ended', ended);
    });
    agent.on('chat', (message) => this.emit('chat', message));
    agent.on('video-state', (state) => this.emit('video-state', state));
    agent.on('frame', (frame) => this.emit('frame', frame));
    agent.on('encode-target', (target) => this.emit('encode-target', target));
    agent.on('keyframe-needed', (need) => this.emit('keyframe-needed', need));
    agent.on('jpeg-fallback', (fallback) => this.emit('jpeg-fallback', fallback));
    agent.on('voice', (voice) => this.emit('voice', voice));
    agent.on('voice-playout', (frame) => this.emit('voice-playout', frame));
    agent.on('mute-state', (state) => this.emit('mute-state', state));
    agent.on('hand', (hand) => this.emit('hand', hand));
    agent.on('reaction', (reaction) => this.emit('reaction', reaction));
  }

  get muted(): boolean {
    return this.#muted;
  }

  /**
   * Muted, we send no voice at all; the members are told, and so are we (`mute-state` with
   * our own id). Holds across calls.
   */
  setMuted(muted: boolean): void {
    if (muted === this.#muted) return;
    this.#muted = muted;
    this.#agent.call?.setMuted(muted);
    this.emit('mute-state', { peer: this.#id, muted });
  }

  /**
   * Raises or lowers our hand, or reacts: the members are told, and so are we (`hand` and
   * `reaction` with our own id). A reaction over our own rate is refused, not sent.
   */
  gesture(command: GestureCommand): void {
    const gestures = this.#agent.call?.gestures;
    if (!gestures) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    if (command.cmd === 'hand') {
      gestures.setHand(command.raised);
      this.emit('hand', { peer: this.#id, raised: command.raised });
      return;
    }
    if (!gestures.react(command.emoji)) {
      throw new CommandError('ERR_RATE_LIMITED', 'too many reactions: wait a moment');
    }
    this.emit('reaction', { peer: this.#id, emoji: command.emoji });
  }

  /** Seals and sends one voice packet to every member; no-op outside a call or while muted. */
  sendVoice(packet: OutgoingVoice): void {
    if (this.#muted) return;
    this.#agent.call?.sendVoice(packet);
  }

  /** The page could not decode a member's video: ask that member for a keyframe. */
  requestKeyframe(peerId: string): void {
    const call = this.#agent.call;
    if (!call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    if (!call.hasMember(peerId)) {
      throw new CommandError('ERR_UNKNOWN_PEER', `${peerId} is not in the call`);
    }
    call.requestKeyframe(peerId);
  }

  get call(): CallContent | null {
    return this.#agent.call;
  }

  /** The chat of the current call, or else of the call we were last in (kept until the next). */
  chat(): { id: string; messages: readonly ChatMessage[] } {
    const chat = this.#agent.call ?? this.#lastChat;
    if (!chat) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call, and no earlier chat');
    return { id: chat.id, messages: chat.history() };
  }

  /** We renamed: members are told, and later calls use the new name. */
  rename(name: string): void {
    this.#agent.rename(name);
  }

  /** Who has a hand up, in the order they went up (ours last): a reloaded page asks. */
  raisedHands(): string[] {
    const gestures = this.#agent.call?.gestures;
    if (!gestures) return [];
    return gestures.raised ? [...gestures.hands(), this.#id] : gestures.hands();
  }

  /** The current call and its other members, as front ends show them. */
  members(): EventBody<'members'> {
    const call = this.#agent.call;
    if (!call)
      return { call: null, members: [], ...(this.#lastChat && { lastChat: this.#lastChat.id }) };
    return { call: call.id, members: call.members().map((m) => this.#view(m)) };
  }

  /** Idempotent: leaves the call; resolves when every member got our bye (or the grace ran out). */
  close(): Promise<void> {
    const leaving = this.#agent.close();
    this.#stopStats();
    this.removeAllListeners();
    return leaving;
  }

  adopt(connection: SignalingConnection): void {
    this.#agent.adopt(connection);
  }

  needs(connection: SignalingConnection): boolean {
    return this.#agent.needs(connection);
  }

  /** Invites a listed peer into our call, starting one if we are in none. */
  async invite(peerId: string): Promise<void> {
    const view = this.#peers.view(peerId);
    if (peerId === this.#id) {
      throw new CommandError('ERR_UNKNOWN_PEER', 'cannot invite yourself');
    }
    if (!view) throw new CommandError('ERR_UNKNOWN_PEER', `no peer ${peerId} nearby`);
    if (view.trust === 'key-changed') {
      throw new CommandError(
        'ERR_KEY_CHANGED',
        `${view.name}'s key changed; compare safety codes and trust it before inviting`,
      );
    }
    if (this.#agent.call?.hasMember(peerId)) {
      throw new CommandError('ERR_ALREADY_IN_CALL', `${view.name} is already in the call`);
    }
    if (this.#agent.isInviting(peerId)) {
      throw new CommandError('ERR_ALREADY_IN_CALL', `${view.name} is already invited`);
    }
    this.#invitedNames.set(peerId, view.name);
    await this.#agent.invite(peerId);
    this.#peers.consent(peerId);
  }

  accept(callId: string): void {
    const inviters = this.#agent.invitersOf(callId);
    const outcome = this.#agent.accept(callId);
    if (outcome !== 'accepted') throw refusal(callId, outcome);
    for (const inviter of inviters) this.#peers.consent(inviter);
  }

  /** Takes back our unanswered invite to `peerId` (it is told, and so are we). */
  cancelInvite(peerId: string): void {
    const call = this.#agent.cancelInvite(peerId);
    if (!call) throw new CommandError('ERR_NO_SUCH_INVITE', `no pending invite to ${peerId}`);
    this.#invitedNames.delete(peerId);
    this.emit('invite-withdrawn', { call, peer: peerId });
  }

  decline(callId: string, reason: string): void {
    if (!this.#agent.decline(callId, reason)) throw refusal(callId, 'no-invite');
  }

  leave(): void {
    if (!this.#agent.leave()) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
  }

  #autoAccept(callId: string, from: string, keyChanged: boolean): void {
    if (keyChanged) {
      this.#log.warn('not auto-accepting an invite from a peer whose key changed', { peer: from });
      return;
    }
    try {
      this.accept(callId);
    } catch (err) {
      this.emit('accept-failed', err);
    }
  }

  #stopStats(): void {
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#statsTimer = null;
  }

  #view(member: MemberView): MemberEventView {
    const key = this.#agent.linkedKeyOf(member.id) ?? this.#peers.publicKeyOf(member.id);
    return {
      peer: member.id,
      name: this.#peers.memberName(member.id, member.name, key),
      state: member.state,
      safetyCode: key ? safetyCode(this.#localKey, key) : '',
      verified: this.#peers.isVerified(member.id),
    };
  }
}
