import type { ControlMessage } from './control-messages.js';
import type { MeshError } from './errors.js';
import { randomId } from './ids.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import { OwnMediaKey } from './media-keys.js';
import type { MediaReceiverStats, ReceivedFrame } from './media-receiver.js';
import { MediaReceiver } from './media-receiver.js';
import type { MediaSenderStats, OutgoingFrame } from './media-sender.js';
import { MediaSender } from './media-sender.js';
import type { PeerLink } from './peer-link.js';
import type { EncodeTarget } from './quality-controller.js';
import { TypedEmitter } from './typed-emitter.js';

export type MemberState = 'connecting' | 'connected' | 'left';
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

export interface ChatMessage {
  readonly call: string;
  readonly id: string;
  readonly from: string;
  readonly name: string;
  readonly ts: number;
  readonly clock: number;
  readonly text: string;
}

export interface CallEvents {
  [key: string]: unknown[];
  'member-joined': [MemberView];
  'member-left': [MemberView, LeaveReason, MeshError | null];
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
  receiver: MediaReceiver | null;
  saidBye: boolean;
}

export interface MemberMediaStats extends MediaReceiverStats {
  peer: string;
  rttMs: number | null;
}

/** How often receivers tell senders what arrived. */
const REPORT_INTERVAL_MS = 250;

export interface CallOptions {
  id?: string;
  localId: string;
  localName: string;
  logger?: Logger;
}

/**
 * A call's roster and chat. Owns one PeerLink per other member; links report up with
 * events and the call reports up to the session the same way.
 */
export class Call extends TypedEmitter<CallEvents> {
  readonly id: string;
  readonly #options: CallOptions;
  readonly #logger: Logger;
  readonly #members = new Map<string, Member>();
  readonly #history: ChatMessage[] = [];
  readonly #seenChat = new Set<string>();
  #clock = 0;
  #closed = false;
  readonly #mediaKey = new OwnMediaKey();
  readonly #sender = new MediaSender(this.#mediaKey);
  readonly #reportTimer: NodeJS.Timeout;

  constructor(options: CallOptions) {
    super();
    this.#options = options;
    this.id = options.id ?? randomId();
    this.#logger = options.logger ?? silentLogger;
    this.#sender.on('adapt', (target) => this.emit('encode-target', target));
    this.#reportTimer = setInterval(() => this.#sendReports(), REPORT_INTERVAL_MS);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Other members, in the order they were added. */
  members(): MemberView[] {
    return [...this.#members.values()]
      .filter((member) => member.state !== 'left')
      .map((member) => view(member));
  }

  hasMember(id: string): boolean {
    const member = this.#members.get(id);
    return member !== undefined && member.state !== 'left';
  }

  history(): readonly ChatMessage[] {
    return this.#history;
  }

  /** Registers a member whose link is being set up. */
  addMember(identity: MemberIdentity): void {
    if (this.#closed) return;
    const existing = this.#members.get(identity.id);
    if (existing && existing.state !== 'left') return;
    this.#members.set(identity.id, {
      identity,
      state: 'connecting',
      link: null,
      receiver: null,
      saidBye: false,
    });
  }

  /** Gives the call the link to a member; the call owns and closes it from now on. */
  attachLink(memberId: string, link: PeerLink): void {
    const member = this.#members.get(memberId);
    if (this.#closed || !member || member.state === 'left') {
      link.close();
      return;
    }
    member.link?.close();
    member.link = link;
    member.receiver?.close();
    const receiver = new MediaReceiver(memberId, () => link.clockOffsetMs);
    member.receiver = receiver;
    receiver.on('frame', (frame) => this.emit('frame', frame));
    link.on('open', () => {
      if (member.link !== link || member.state !== 'connecting') return;
      member.state = 'connected';
      this.#rotateMediaKey();
      this.emit('member-joined', view(member));
    });
    link.on('control', (message) => this.#onControl(member, message));
    link.on('media', (chunk) => receiver.push(chunk));
    link.on('close', (error) => {
      if (member.link !== link) return;
      member.link = null;
      this.removeMember(memberId, member.saidBye ? 'left' : 'lost', error);
    });
  }

  /** Marks a member gone (bye, timeout, failure); idempotent. */
  removeMember(memberId: string, reason: LeaveReason, error: MeshError | null = null): void {
    const member = this.#members.get(memberId);
    if (!member || member.state === 'left') return;
    member.state = 'left';
    const link = member.link;
    member.link = null;
    link?.close();
    member.receiver?.close();
    member.receiver = null;
    // Whoever left must not be able to read what follows.
    this.#rotateMediaKey();
    this.emit('member-left', view(member), reason, error);
    if (!this.#closed && this.members().length === 0) this.emit('empty');
  }

  /** Records the member's own goodbye so its link closing reads as "left", not "lost". */
  noteBye(memberId: string): void {
    const member = this.#members.get(memberId);
    if (member) member.saidBye = true;
  }

  sendChat(text: string): ChatMessage {
    this.#clock++;
    const message: ChatMessage = {
      call: this.id,
      id: randomId(),
      from: this.#options.localId,
      name: this.#options.localName,
      ts: Date.now(),
      clock: this.#clock,
      text,
    };
    this.#record(message);
    for (const member of this.#members.values()) {
      member.link?.sendControl({
        t: 'chat',
        id: message.id,
        ts: message.ts,
        clock: message.clock,
        text,
      });
    }
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
      if (member.state !== 'connected' || !member.receiver) continue;
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
    clearInterval(this.#reportTimer);
    const hangUps: Promise<void>[] = [];
    for (const member of this.#members.values()) {
      if (member.state === 'left') continue;
      member.state = 'left';
      if (member.link) hangUps.push(member.link.hangUp());
      member.link = null;
      member.receiver?.close();
      member.receiver = null;
    }
    this.emit('closed');
    this.removeAllListeners();
    return Promise.all(hangUps).then(() => undefined);
  }

  #onControl(member: Member, message: ControlMessage): void {
    if (this.#closed) return;
    switch (message.t) {
      case 'chat': {
        if (this.#seenChat.has(message.id)) return;
        this.#clock = Math.max(this.#clock, message.clock);
        const chat: ChatMessage = {
          call: this.id,
          id: message.id,
          from: member.identity.id,
          name: member.identity.name,
          ts: message.ts,
          clock: message.clock,
          text: message.text,
        };
        this.#record(chat);
        this.emit('chat', chat);
        return;
      }
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

  *#openLinks(): Generator<PeerLink> {
    for (const member of this.#members.values()) {
      if (member.state === 'connected' && member.link?.state === 'open') yield member.link;
    }
  }

  #rotateMediaKey(): void {
    if (this.#closed) return;
    const announcement = this.#mediaKey.rotate();
    for (const link of this.#openLinks()) {
      link.sendControl({ t: 'media-key', keyId: announcement.keyId, key: announcement.key });
    }
  }

  #sendReports(): void {
    for (const member of this.#members.values()) {
      if (member.state !== 'connected' || !member.receiver) continue;
      const report = member.receiver.takeReport();
      if (report.received === 0 && report.lost === 0) continue;
      member.link?.sendControl({ t: 'media-report', ...report });
    }
  }

  #record(message: ChatMessage): void {
    this.#seenChat.add(message.id);
    this.#history.push(message);
    this.#logger.debug('chat recorded', { call: this.id, id: message.id });
  }
}

function view(member: Member): MemberView {
  return { id: member.identity.id, name: member.identity.name, state: member.state };
}
