import type { ChatAuthor, ChatMessage } from '../chat/chat-log.js';
import { ChatLog } from '../chat/chat-log.js';
import type { ChatWire, ControlMessage } from '../link/control-messages.js';
import { CHAT_BATCH, CHAT_HAVE_PAGE } from '../link/control-messages.js';
import type { MeshError } from '../base/errors.js';
import { randomId } from '../base/ids.js';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import { OwnMediaKey } from '../media/keys.js';
import type { MediaReceiverStats, ReceivedFrame } from '../media/receiver.js';
import { MediaReceiver } from '../media/receiver.js';
import type { MediaSenderStats, OutgoingFrame } from '../media/sender.js';
import { MediaSender } from '../media/sender.js';
import type { PeerLink } from '../link/peer-link.js';
import type { EncodeTarget } from '../media/quality-controller.js';
import type { MemberInfo } from '../signaling/messages.js';
import { TypedEmitter } from '../base/typed-emitter.js';

export type { ChatMessage } from '../chat/chat-log.js';

export type MemberState = 'connecting' | 'connected' | 'reconnecting' | 'left';
export type LeaveReason = 'left' | 'lost' | 'failed';

export interface MemberIdentity {
  readonly id: string;
  readonly name: string;
  readonly publicKey: Uint8Array;
}

export interface MemberView {
  readonly id: string;
  readonly name: string;
  readonly state: MemberState;
}

export interface MemberMediaStats extends MediaReceiverStats {
  peer: string;
  rttMs: number | null;
}

export interface CallEvents {
  'member-joined': [MemberView];
  'member-state': [MemberView];
  'member-left': [MemberView, LeaveReason, MeshError | null];
  /** A member's link dropped while the member is still in the call: make a new one. */
  'link-lost': [string];
  /** Another member's view of the call: members we are not linked with yet. */
  roster: [{ from: string; members: MemberInfo[] }];
  chat: [ChatMessage];
  frame: [ReceivedFrame];
  /** Congestion control asks the capture for another quality or size. */
  'encode-target': [EncodeTarget];
  'video-state': [{ peer: string; enabled: boolean }];
  /** The last other member is gone. */
  empty: [];
  closed: [];
}

interface Member {
  identity: MemberIdentity;
  state: MemberState;
  link: PeerLink | null;
  /** A replacement link being set up while `link` is stalled. */
  pending: PeerLink | null;
  receiver: MediaReceiver | null;
  saidBye: boolean;
  /** When we last heard anything from this member (any link, any control message). */
  lastHeard: number;
}

export interface CallTimings {
  /** Silence after which a member shows as reconnecting. */
  quietMs: number;
  /** Silence after which a member is removed from the call. */
  goneMs: number;
}

export interface CallOptions {
  id?: string;
  local: ChatAuthor;
  logger?: Logger;
  timings?: Partial<CallTimings>;
  /** Our roster entry for others: how they reach us. */
  describeSelf: () => MemberInfo;
  /** How we describe a member to others (address as we see it). */
  describeMember: (id: string) => MemberInfo | null;
}

/** How often receivers tell senders what arrived, and how often liveness is checked. */
const REPORT_INTERVAL_MS = 250;
const LIVENESS_INTERVAL_MS = 250;
const DEFAULT_TIMINGS: CallTimings = { quietMs: 1500, goneMs: 9500 };

/**
 * A call's roster, chat and media. Owns one PeerLink and one MediaReceiver per other
 * member; links report up with events, and the call reports up to the session likewise.
 */
export class Call extends TypedEmitter<CallEvents> {
  readonly id: string;
  readonly #options: CallOptions;
  readonly #logger: Logger;
  readonly #timings: CallTimings;
  readonly #members = new Map<string, Member>();
  readonly #chat: ChatLog;
  readonly #mediaKey = new OwnMediaKey();
  readonly #sender = new MediaSender(this.#mediaKey);
  readonly #timers: NodeJS.Timeout[];
  #closed = false;

  constructor(options: CallOptions) {
    super({ logger: options.logger });
    this.#options = options;
    this.id = options.id ?? randomId();
    this.#logger = options.logger ?? silentLogger;
    this.#timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.#chat = new ChatLog(this.id, options.local);
    this.#sender.on('adapt', (target) => this.emit('encode-target', target));
    this.#timers = [
      setInterval(() => this.#sendReports(), REPORT_INTERVAL_MS),
      setInterval(() => this.#checkLiveness(), LIVENESS_INTERVAL_MS),
    ];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Other members still in the call, in the order they were added. */
  members(): MemberView[] {
    return [...this.#members.values()]
      .filter((member) => member.state !== 'left')
      .map((member) => view(member));
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
    return this.#chat.ordered();
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
      receiver: null,
      saidBye: false,
      lastHeard: Date.now(),
    });
  }

  /**
   * Gives the call a (new) link to a member; the call owns and closes it from now on.
   * Make before break: while the current link is open, the new one waits aside and
   * replaces it only once it opens (a stalled link keeps carrying what it can).
   */
  attachLink(memberId: string, link: PeerLink): void {
    const member = this.#members.get(memberId);
    if (this.#closed || !member || member.state === 'left') {
      link.close();
      return;
    }
    if (member.link?.state === 'open') {
      const superseded = member.pending;
      member.pending = link;
      superseded?.close();
    } else {
      const superseded = member.link;
      member.link = link;
      superseded?.close();
    }
    if (!member.receiver) {
      const receiver = new MediaReceiver(memberId, () => member.link?.clockOffsetMs ?? null);
      receiver.on('frame', (frame) => this.emit('frame', frame));
      member.receiver = receiver;
    }
    const receiver = member.receiver;
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
      if (member.link !== link) return;
      member.lastHeard = Date.now();
      this.#onControl(member, message);
    });
    link.on('media', (chunk) => receiver.push(chunk));
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

  /** True while a member is in the call without a working link (so one should be made). */
  needsLink(memberId: string): boolean {
    const member = this.#members.get(memberId);
    if (!member || member.state === 'left' || member.pending) return false;
    return member.state !== 'connected' || member.link?.state !== 'open';
  }

  /** Marks a member gone (bye, timeout, failure); idempotent. */
  removeMember(memberId: string, reason: LeaveReason, error: MeshError | null = null): void {
    const member = this.#members.get(memberId);
    if (!member || member.state === 'left') return;
    member.state = 'left';
    const link = member.link;
    member.link = null;
    link?.close();
    member.pending?.close();
    member.pending = null;
    member.receiver?.close();
    member.receiver = null;
    // Whoever left must not be able to read what follows.
    this.#rotateMediaKey();
    this.emit('member-left', view(member), reason, error);
    this.#gossipRoster();
    if (!this.#closed && this.members().length === 0) this.emit('empty');
  }

  /** Records the member's own goodbye so its link closing reads as "left", not "lost". */
  noteBye(memberId: string): void {
    const member = this.#members.get(memberId);
    if (member) member.saidBye = true;
  }

  sendChat(text: string): ChatMessage {
    const { message, wire } = this.#chat.compose(text);
    for (const link of this.#openLinks()) link.sendControl({ t: 'chat', message: wire });
    return message;
  }

  /** Seals the frame once and offers it to every connected member. */
  sendFrame(frame: OutgoingFrame): void {
    if (this.#closed) return;
    this.#sender.send(frame, this.#openLinks());
  }

  /** Tells the others our video went on or off. */
  announceVideo(enabled: boolean): void {
    for (const link of this.#openLinks()) link.sendControl({ t: 'video-state', enabled });
  }

  /** The newest frame received from a member. */
  latestFrame(memberId: string): ReceivedFrame | null {
    return this.#members.get(memberId)?.receiver?.latest ?? null;
  }

  get encodeTarget(): EncodeTarget {
    return this.#sender.target;
  }

  mediaStats(): { sending: MediaSenderStats; members: MemberMediaStats[] } {
    const now = Date.now();
    const members: MemberMediaStats[] = [];
    for (const member of this.#members.values()) {
      if (member.state === 'left' || !member.receiver) continue;
      members.push({
        peer: member.identity.id,
        rttMs: member.link?.stats.rttMs ?? null,
        ...member.receiver.stats(now),
      });
    }
    return { sending: this.#sender.stats(now), members };
  }

  /**
   * Says bye to everyone and closes every link; idempotent. Resolves when the links are
   * down (each peer hangs up on our bye, or a short grace runs out).
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    const hangUps: Promise<void>[] = [];
    for (const member of this.#members.values()) {
      if (member.state === 'left') continue;
      member.state = 'left';
      if (member.link) hangUps.push(member.link.hangUp());
      member.link = null;
      member.pending?.close();
      member.pending = null;
      member.receiver?.close();
      member.receiver = null;
    }
    this.emit('closed');
    this.removeAllListeners();
    return Promise.all(hangUps).then(() => undefined);
  }

  #onLinkOpen(member: Member, link: PeerLink): void {
    const first = member.state === 'connecting';
    member.state = 'connected';
    if (first) {
      // A new member: nobody who was not there may read what came before.
      this.#rotateMediaKey();
      this.emit('member-joined', view(member));
      this.#gossipRoster();
    } else {
      // Back after a dropped link: same key, it never left.
      const key = this.#mediaKey.announcement();
      link.sendControl({ t: 'media-key', keyId: key.keyId, key: key.key });
      this.emit('member-state', view(member));
    }
    // Anti-entropy: tell what we hold; the other side sends what we miss (late joiners,
    // and anything sent while this link was down).
    const ids = this.#chat.ids();
    for (let start = 0; start === 0 || start < ids.length; start += CHAT_HAVE_PAGE) {
      link.sendControl({ t: 'chat-have', ids: ids.slice(start, start + CHAT_HAVE_PAGE) });
    }
  }

  #onControl(member: Member, message: ControlMessage): void {
    if (this.#closed) return;
    switch (message.t) {
      case 'chat':
        this.#acceptChat(member, message.message);
        return;
      case 'chat-have':
        this.#answerHave(member, new Set(message.ids));
        return;
      case 'chat-batch':
        for (const wire of message.messages) this.#acceptChat(member, wire);
        return;
      case 'roster':
        this.emit('roster', { from: member.identity.id, members: message.members });
        return;
      case 'bye':
        member.saidBye = true;
        this.removeMember(member.identity.id, 'left');
        return;
      case 'media-key':
        member.receiver?.addKey({ keyId: message.keyId, key: message.key });
        return;
      case 'media-report':
        this.#sender.onReport(message);
        return;
      case 'video-state':
        this.emit('video-state', { peer: member.identity.id, enabled: message.enabled });
        return;
      case 'ping':
      case 'pong':
        return;
    }
  }

  #acceptChat(member: Member, wire: ChatWire): void {
    const result = this.#chat.accept(wire);
    if (result.status === 'new') this.emit('chat', result.message);
    if (result.status === 'rejected') {
      this.#logger.warn('chat message rejected', {
        peer: member.identity.id,
        reason: result.reason,
      });
    }
  }

  /** Chat-have pages arrive one by one; answering each page on its own is enough. */
  #answerHave(member: Member, theirs: Set<string>): void {
    const missing = this.#chat.missingFor(theirs);
    for (let start = 0; start < missing.length; start += CHAT_BATCH) {
      member.link?.sendControl({
        t: 'chat-batch',
        messages: missing.slice(start, start + CHAT_BATCH),
      });
    }
  }

  #checkLiveness(): void {
    const now = Date.now();
    for (const member of this.#members.values()) {
      if (member.state !== 'connected' && member.state !== 'reconnecting') continue;
      // Heartbeats stay inside the link; count them as hearing from the member.
      const heard = Math.max(
        member.lastHeard,
        member.link?.state === 'open' ? member.link.lastHeard : 0,
      );
      const silence = now - heard;
      if (silence > this.#timings.goneMs) {
        this.removeMember(member.identity.id, 'lost');
      } else if (silence > this.#timings.quietMs && member.state === 'connected') {
        this.#setState(member, 'reconnecting');
        // The link may be open but stalled (its transport backing off after an outage):
        // start a fresh one alongside.
        if (!member.pending) this.emit('link-lost', member.identity.id);
      } else if (
        silence <= this.#timings.quietMs &&
        member.state === 'reconnecting' &&
        member.link?.state === 'open'
      ) {
        this.#setState(member, 'connected');
      }
    }
  }

  #setState(member: Member, state: MemberState): void {
    if (member.state === state || member.state === 'left') return;
    member.state = state;
    this.emit('member-state', view(member));
  }

  *#openLinks(): Generator<PeerLink> {
    for (const member of this.#members.values()) {
      if (member.state !== 'left' && member.link?.state === 'open') yield member.link;
    }
  }

  #rotateMediaKey(): void {
    if (this.#closed) return;
    const announcement = this.#mediaKey.rotate();
    for (const link of this.#openLinks()) {
      link.sendControl({ t: 'media-key', keyId: announcement.keyId, key: announcement.key });
    }
  }

  #gossipRoster(): void {
    if (this.#closed) return;
    const members: MemberInfo[] = [this.#options.describeSelf()];
    for (const member of this.#members.values()) {
      if (member.state === 'left') continue;
      const info = this.#options.describeMember(member.identity.id);
      if (info) members.push(info);
    }
    for (const link of this.#openLinks()) link.sendControl({ t: 'roster', members });
  }

  #sendReports(): void {
    for (const member of this.#members.values()) {
      if (member.state !== 'connected' || !member.receiver) continue;
      const report = member.receiver.takeReport();
      if (report.received === 0 && report.lost === 0) continue;
      member.link?.sendControl({ t: 'media-report', ...report });
    }
  }
}

function view(member: Member): MemberView {
  return { id: member.identity.id, name: member.identity.name, state: member.state };
}
