import type { ChatMessage } from '../chat/chat-log.js';
import type { ControlMessage } from '../link/control-messages.js';
import type { MeshError } from '../base/errors.js';
import { randomId } from '../base/ids.js';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import type { ReceivedFrame } from '../media/receiver.js';
import type { LayeredFrame, OutgoingFrame } from '../media/sender.js';
import type { OutgoingVoice } from '../media/voice-sender.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { MemberLeftReason } from '../../protocol/api.js';
import type { CallLink, LinkFactory, LinkSpec } from './call-link.js';
import { createPeerLink } from './call-link.js';
import { CallChat } from './call-chat.js';
import type { MemberMediaStats, SendingStats } from './call-media.js';
import { CALL_MEDIA_EVENTS, CallMedia } from './call-media.js';
import type { CallTimings } from './liveness.js';
import { DEFAULT_TIMINGS, checkLiveness } from './liveness.js';
import type {
  BudgetStats,
  CallEvents,
  CallOptions,
  Member,
  MemberIdentity,
  MemberState,
  MemberView,
} from './call-types.js';
import { hangUpAll, mediaMembers, openLinks, view } from './call-types.js';
import { CallParty, isPartyMessage, isPieceMessage } from '../party/call-party.js';
import { CallGestures, isGestureMessage } from './call-gestures.js';

/** Every member re-sends its roster this often (besides on every change). */
const ROSTER_GOSSIP_MS = 2000;

export type * from './call-types.js';

/**
 * A call's roster, member states, liveness, chat and media. Creates, owns and closes one
 * link per member (two while a replacement is being made); links report up with events,
 * and the call reports up likewise. Who is let in and how links are signaled is not its
 * business: see CallAgent.
 */
export class Call extends TypedEmitter<CallEvents> {
  readonly id: string;
  readonly #options: CallOptions;
  readonly #logger: Logger;
  readonly #timings: CallTimings;
  readonly #makeLink: LinkFactory;
  readonly #members = new Map<string, Member>();
  readonly #chat: CallChat;
  readonly #media: CallMedia;
  readonly #timer: NodeJS.Timeout;
  readonly party: CallParty;
  readonly gestures: CallGestures;
  #closed = false;

  constructor(options: CallOptions) {
    super({ logger: options.logger });
    this.#options = options;
    this.id = options.id ?? randomId();
    this.#logger = options.logger ?? silentLogger;
    this.#timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.#makeLink = options.linkFactory ?? createPeerLink;
    this.#chat = new CallChat({
      callId: this.id,
      local: options.local,
      // Left members stay in #members: what they wrote still shows under their names.
      memberOf: (id) => this.#members.get(id)?.identity ?? null,
      logger: this.#logger,
      onMessage: (message) => this.emit('chat', message),
      historyBudget: options.historyBudget,
    });
    this.#media = new CallMedia(this.#logger, options.decode);
    this.party = new CallParty(
      options.local,
      this.#logger,
      () => this.#openLinks(),
      this,
      options.partyCacheDir,
    );
    this.gestures = new CallGestures(this, () => this.#openLinks());
    for (const name of CALL_MEDIA_EVENTS)
      this.#media.on(name, (...args) => this.emit(name, ...args));
    let ticks = 0;
    this.#timer = setInterval(() => {
      this.#media.sendReports(this.#mediaMembers('connected'));
      checkLiveness(this.#members.values(), this.#timings, {
        remove: (id) => this.removeMember(id, 'lost'),
        setState: (member, state) => this.#setState(member, state),
        linkLost: (id) => this.emit('link-lost', id),
      });
      // Anti-entropy for the roster too: a roster that arrived before its reader could act
      // on it (or was lost with a link) is not the only chance to find a member.
      if (++ticks % Math.ceil(ROSTER_GOSSIP_MS / this.#timings.checkMs) === 0) {
        this.#gossipRoster();
      }
    }, this.#timings.checkMs);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Other members still in the call, in the order they were added. */
  members(): MemberView[] {
    return [...this.#members.values()].filter((m) => m.state !== 'left').map((m) => view(m));
  }

  member(id: string): MemberView | null {
    const member = this.#members.get(id);
    return member && member.state !== 'left' ? view(member) : null;
  }

  hasMember(id: string): boolean {
    return this.member(id) !== null;
  }

  /** True for a member that was in the call and left (or was removed). */
  hasLeft(id: string): boolean {
    return this.#members.get(id)?.state === 'left';
  }

  publicKeyOf(id: string): Uint8Array | null {
    return this.#members.get(id)?.identity.publicKey ?? null;
  }

  /** The whole chat so far, in the order every member shows it. */
  history(): readonly ChatMessage[] {
    return this.#chat.history();
  }

  /** Chat messages rejected and history requests refused, for stats. */
  chatStats(): { rejected: number; historyRefused: number } {
    return this.#chat.stats();
  }

  /** Registers a member whose link is being set up; a member who left may come back. */
  addMember(identity: MemberIdentity): void {
    if (this.#closed) return;
    const existing = this.#members.get(identity.id);
    if (existing && existing.state !== 'left') return;
    this.#members.set(identity.id, {
      identity,
      state: 'connecting',
      link: null,
      pending: null,
      saidBye: false,
      lastHeard: Date.now(),
    });
    this.#chat.memberAdded(identity.id);
  }

  /**
   * Makes a (new) link to a member, not started yet, so the caller can carry its signals
   * first; the call owns and closes it. Make before break: while the current link is open,
   * the new one waits aside and replaces it only once it opens (a stalled link keeps
   * carrying what it can). Null when the member is not (or no longer) in the call.
   */
  openLink(spec: LinkSpec): CallLink | null {
    const member = this.#members.get(spec.peerId);
    if (this.#closed || !member || member.state === 'left') return null;
    const link = this.#makeLink({ ...spec, localId: this.#options.local.id, logger: this.#logger });
    const superseded = member.link?.state === 'open' ? member.pending : member.link;
    if (member.link?.state === 'open') member.pending = link;
    else member.link = link;
    superseded?.close();
    this.#media.receive(member.identity.id, member);
    this.#watch(member, link);
    return link;
  }

  /** True while a member is in the call without a working link (so one should be made). */
  needsLink(memberId: string): boolean {
    const member = this.#members.get(memberId);
    if (!member || member.state === 'left' || member.pending) return false;
    return member.state !== 'connected' || member.link?.state !== 'open';
  }

  /** Marks a member gone (bye, timeout, failure); idempotent. */
  removeMember(memberId: string, reason: MemberLeftReason, error: MeshError | null = null): void {
    const member = this.#members.get(memberId);
    if (!member || member.state === 'left') return;
    member.state = 'left';
    const { link, pending } = member;
    member.link = null;
    member.pending = null;
    link?.close();
    pending?.close();
    this.#media.stopReceiving(memberId);
    this.#chat.forget(memberId);
    this.party.memberLeft(memberId);
    this.gestures.memberLeft(memberId);
    // Whoever left must not be able to read what follows.
    this.#media.rotateKey(this.#openLinks());
    this.emit('member-left', view(member), reason, error);
    this.#gossipRoster();
    if (!this.#closed && this.members().length === 0) this.emit('empty');
  }

  /** Records the member's own goodbye so its link closing reads as "left", not "lost". */
  noteBye(memberId: string): void {
    const member = this.#members.get(memberId);
    if (member && !this.#closed) member.saidBye = true;
  }

  /** Null once the call is closed. */
  sendChat(text: string): ChatMessage | null {
    if (this.#closed) return null;
    return this.#chat.send(text, this.#openLinks());
  }

  /** Seals each layer once and offers every connected member the layer chosen for it. */
  sendFrame(frame: LayeredFrame | OutgoingFrame): void {
    this.#media.send(frame, this.#openLinks());
  }

  /** Seals the voice packet once and offers it to every connected member; no-op while muted. */
  sendVoice(packet: OutgoingVoice): void {
    this.#media.sendVoice(packet, this.#openLinks());
  }

  /** Muted, we send no voice at all; every member is told on change (and on each link open). */
  setMuted(muted: boolean): void {
    this.#media.setMuted(muted, this.#openLinks());
  }

  get muted(): boolean {
    return this.#media.muted;
  }

  /** Tells the others our video went on or off (on change, and on each link that opens). */
  announceVideo(enabled: boolean): void {
    this.#media.setVideo(enabled, this.#openLinks());
  }

  /** We renamed: every member is told now, and each link that opens later. */
  announceName(name: string): void {
    this.#options.local.name = name;
    for (const link of this.#openLinks()) link.sendControl({ t: 'name', name });
  }

  /** Our front end could not decode a member's video: ask it for a keyframe. */
  requestKeyframe(memberId: string): void {
    this.#media.requestKeyframe(memberId);
  }

  /** The newest frame received from a member. */
  latestFrame(memberId: string): ReceivedFrame | null {
    return this.#media.latestFrame(memberId);
  }

  /** Media figures per member, and what each sent over its budget (dropped unread). */
  mediaStats(): { sending: SendingStats; members: (MemberMediaStats & BudgetStats)[] } {
    const { sending, members } = this.#media.stats(this.#mediaMembers());
    const dropped = (id: string): number => this.#chat.dropped(id) + this.gestures.dropped(id);
    const overBudget = (id: string): number =>
      (this.#members.get(id)?.link?.stats.overBudget ?? 0) + dropped(id);
    return { sending, members: members.map((m) => ({ ...m, overBudget: overBudget(m.peer) })) };
  }

  /** Bye to all, every link closed; idempotent. Resolves when the links are down (or grace ends). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#timer);
    const hangUps = hangUpAll(this.#members.values());
    this.#media.close();
    this.#chat.close();
    this.party.close();
    this.removeAllListeners();
    return Promise.all(hangUps).then(() => undefined);
  }

  #watch(member: Member, link: CallLink): void {
    const memberId = member.identity.id;
    link.on('open', () => {
      if (member.state === 'left') return;
      if (member.pending === link) {
        const stalled = member.link;
        member.link = link;
        member.pending = null;
        stalled?.close();
      }
      if (member.link !== link) return;
      member.lastHeard = Date.now();
      this.#onLinkOpen(member, link);
    });
    link.on('control', (message) => {
      // A replacement may carry messages before it opens on our side (the other end opened
      // first and already writes on it): dropping them would lose chat and keys.
      if (member.link !== link && member.pending !== link) return;
      member.lastHeard = Date.now();
      this.#onControl(member, link, message);
    });
    link.on('media', (chunk) => this.#media.push(memberId, chunk));
    link.on('voice', (packet) => this.#media.pushVoice(memberId, packet));
    link.on('bulk', (frame) => this.party.handleBulk(memberId, frame));
    link.on('close', (error) => {
      if (member.pending === link) {
        member.pending = null;
        if (!this.#closed && member.state !== 'left') this.emit('link-lost', memberId);
        return;
      }
      if (member.link !== link) return;
      member.link = null;
      if (member.saidBye) {
        this.removeMember(memberId, 'left');
        return;
      }
      if (this.#closed || member.state === 'left') return;
      this.#logger.info('link to member lost', { peer: memberId, code: error?.code ?? null });
      // A member that never got connected stays "connecting" while we try again.
      if (member.state === 'connected') this.#setState(member, 'reconnecting');
      if (!member.pending) this.emit('link-lost', memberId);
    });
  }

  #onLinkOpen(member: Member, link: CallLink): void {
    const first = member.state === 'connecting';
    member.state = 'connected';
    if (first) {
      // A new member: nobody who was not there may read what came before.
      this.#media.rotateKey(this.#openLinks());
      this.emit('member-joined', view(member));
      this.#gossipRoster();
    } else {
      this.emit('member-state', view(member));
    }
    // Back after a dropped link: same key, it never left. Our mute state on every link.
    this.#media.announceTo(link, !first);
    this.#chat.sync(member.identity.id, link);
    this.party.linkOpened(member.identity.id, link);
    this.gestures.linkOpened(link);
    link.sendControl({ t: 'name', name: this.#options.local.name });
  }

  #onControl(member: Member, link: CallLink, message: ControlMessage): void {
    if (this.#closed) return;
    const id = member.identity.id;
    if (isPartyMessage(message)) return this.party.handle(id, message);
    if (isPieceMessage(message)) return this.party.handlePiece(id, message);
    if (isGestureMessage(message)) return this.gestures.handle(id, message);
    switch (message.t) {
      case 'chat':
      case 'chat-have':
      case 'chat-want':
      case 'chat-batch':
        this.#chat.handle(id, link, message);
        return;
      case 'roster':
        this.emit('roster', { from: id, roster: message.roster });
        return;
      case 'bye':
        member.saidBye = true;
        this.removeMember(id, 'left');
        return;
      case 'video-state':
        this.emit('video-state', { peer: id, enabled: message.enabled });
        return;
      case 'mute-state':
        this.emit('mute-state', { peer: id, muted: message.muted });
        return;
      case 'name':
        // The roster (and what this member writes from now on) shows its new name.
        if (member.identity.name === message.name) return;
        member.identity = { ...member.identity, name: message.name };
        this.emit('member-state', view(member));
        return;
      case 'media-key':
      case 'media-report':
      case 'keyframe':
      case 'codecs':
        this.#media.handle(id, message);
        return;
      case 'ping': // answered inside the link; never reaches us
      case 'pong':
    }
  }

  #setState(member: Member, state: MemberState): void {
    if (member.state === state || member.state === 'left') return;
    member.state = state;
    this.emit('member-state', view(member));
  }

  #openLinks(): Generator<CallLink> {
    return openLinks(this.#members.values());
  }

  #mediaMembers(only?: MemberState): Generator<{ id: string; link: CallLink | null }> {
    return mediaMembers(this.#members.values(), only);
  }

  #gossipRoster(): void {
    if (this.#closed) return;
    const roster = this.#options.describeRoster();
    for (const link of this.#openLinks()) link.sendControl({ t: 'roster', roster });
  }
}
