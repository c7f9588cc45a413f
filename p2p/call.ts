import type { ControlMessage } from './control-messages.js';
import type { MeshError } from './errors.js';
import { randomId } from './ids.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { PeerLink } from './peer-link.js';
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
  /** The last other member is gone. */
  empty: [];
  closed: [];
}

interface Member {
  identity: MemberIdentity;
  state: MemberState;
  link: PeerLink | null;
  saidBye: boolean;
}

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

  constructor(options: CallOptions) {
    super();
    this.#options = options;
    this.id = options.id ?? randomId();
    this.#logger = options.logger ?? silentLogger;
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
    this.#members.set(identity.id, { identity, state: 'connecting', link: null, saidBye: false });
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
    link.on('open', () => {
      if (member.link !== link || member.state !== 'connecting') return;
      member.state = 'connected';
      this.emit('member-joined', view(member));
    });
    link.on('control', (message) => this.#onControl(member, message));
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

  /** Says bye to everyone and closes every link; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const member of this.#members.values()) {
      if (member.state === 'left') continue;
      member.link?.sendControl({ t: 'bye' });
      member.state = 'left';
      member.link?.close();
      member.link = null;
    }
    this.emit('closed');
    this.removeAllListeners();
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
      case 'ping':
      case 'pong':
        return;
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
