import { equalBytes } from '../../crypto/index.js';
import type { ChatAcceptResult, ChatAuthor, ChatMessage } from '../chat/chat-log.js';
import { ChatLog } from '../chat/chat-log.js';
import type { ChatIntakeLimits } from '../chat/chat-intake.js';
import { ChatIntake } from '../chat/chat-intake.js';
import type { Logger } from '../base/logger.js';
import { TokenBucket } from '../base/token-bucket.js';
import type { ChatWire, ControlMessage } from '../link/control-messages.js';
import { CHAT_BATCH, CHAT_HAVE_PAGE, MAX_HISTORY } from '../link/control-messages.js';
import type { CallLink } from './call-link.js';
import type { MemberIdentity } from './call-types.js';

/**
 * How much history one member may have us send: up to `messages` at once (no answer is
 * larger), refilled over `refillMs`. The default is one full history per 30 s.
 */
export interface HistoryBudget {
  messages: number;
  refillMs: number;
}

export const DEFAULT_HISTORY_BUDGET: HistoryBudget = { messages: MAX_HISTORY, refillMs: 30_000 };

/** What we answer one member's history requests with. */
interface HistoryPeer {
  budget: TokenBucket;
  /** Ids sent to it on its current link: a reliable channel delivers them, no need to resend. */
  sent: Set<string>;
}

/**
 * A call's chat on the wire: our messages to every member, theirs into the log, and
 * anti-entropy on every link that opens (we tell what we hold; the other side sends what we
 * miss: late joiners, and anything sent while a link was down). Only members who are or
 * were in the call may write, under the name the call knows them by. What a member's link
 * brings is checked within that member's budget (ChatIntake), so one member's flood delays
 * nobody else's chat.
 */
export class CallChat {
  readonly #log: ChatLog;
  readonly #local: ChatAuthor;
  readonly #memberOf: (id: string) => MemberIdentity | null;
  readonly #logger: Logger;
  readonly #onMessage: (message: ChatMessage) => void;
  readonly #budget: HistoryBudget;
  readonly #peers = new Map<string, HistoryPeer>();
  /** History requests refused because the member is over its budget. */
  #historyRefused = 0;
  readonly #limits: ChatIntakeLimits | undefined;
  /** Per member: what its link brought, checked within its budget. */
  readonly #intakes = new Map<string, ChatIntake>();

  constructor(options: {
    callId: string;
    local: ChatAuthor;
    /** A member who is or was in the call, with the name and key it authenticated with. */
    memberOf: (id: string) => MemberIdentity | null;
    logger: Logger;
    /** A message we had not seen yet. */
    onMessage: (message: ChatMessage) => void;
    historyBudget?: HistoryBudget | undefined;
    intakeLimits?: ChatIntakeLimits | undefined;
  }) {
    this.#local = options.local;
    this.#memberOf = options.memberOf;
    this.#log = new ChatLog(options.callId, options.local, (id, key) => this.#nameOf(id, key));
    this.#logger = options.logger;
    this.#onMessage = options.onMessage;
    this.#budget = options.historyBudget ?? DEFAULT_HISTORY_BUDGET;
    this.#limits = options.intakeLimits;
  }

  /** The whole chat so far, in the order every member shows it. */
  history(): readonly ChatMessage[] {
    return this.#log.ordered();
  }

  /** Messages rejected (forged, not by a member, bad time or clock) and history refused. */
  stats(): { rejected: number; historyRefused: number } {
    return { rejected: this.#log.rejected, historyRefused: this.#historyRefused };
  }

  /** A member was added: what it wrote that reached us before it did now shows. */
  memberAdded(id: string): void {
    for (const message of this.#log.acceptHeld(id)) this.#onMessage(message);
  }

  send(text: string, links: Iterable<CallLink>): ChatMessage {
    const { message, wire } = this.#log.compose(text);
    for (const link of links) link.sendControl({ t: 'chat', message: wire });
    return message;
  }

  /**
   * A member's link just opened: tell what we hold, page by page (an empty page when we hold
   * none). What an earlier link carried may have been lost with it, so we may send it again.
   */
  sync(memberId: string, link: CallLink): void {
    this.#peer(memberId).sent.clear();
    const ids = this.#log.ids();
    for (let start = 0; start === 0 || start < ids.length; start += CHAT_HAVE_PAGE) {
      link.sendControl({ t: 'chat-have', ids: ids.slice(start, start + CHAT_HAVE_PAGE) });
    }
  }

  /** A chat message from a member's link; `link` is where what it misses goes back. */
  handle(
    from: string,
    link: CallLink | null,
    message: Extract<ControlMessage, { t: 'chat' | 'chat-have' | 'chat-want' | 'chat-batch' }>,
  ): void {
    switch (message.t) {
      case 'chat':
        this.#intake(from).push([message.message], false);
        return;
      case 'chat-have': {
        if (!link) return;
        this.#answer(from, link, this.#log.missingFor(new Set(message.ids)));
        // What they hold and we lack: a message written on a link we had already replaced
        // never reached us, and their chat-have is the only news of it.
        const wanted = message.ids.filter((id) => !this.#log.has(id));
        if (wanted.length > 0) link.sendControl({ t: 'chat-want', ids: wanted });
        return;
      }
      case 'chat-want':
        if (link) this.#answer(from, link, this.#log.wiresFor(message.ids));
        return;
      case 'chat-batch':
        this.#intake(from).push(message.messages, true);
        return;
    }
  }

  /** Messages dropped unchecked because the member sent more than its budget. */
  dropped(from: string): number {
    return this.#intakes.get(from)?.dropped ?? 0;
  }

  /** The member left: what it sent and we have not checked yet is dropped. */
  forget(from: string): void {
    this.#intakes.get(from)?.close();
    this.#intakes.delete(from);
  }

  close(): void {
    for (const intake of this.#intakes.values()) intake.close();
    this.#intakes.clear();
  }

  #intake(from: string): ChatIntake {
    let intake = this.#intakes.get(from);
    if (!intake) {
      intake = new ChatIntake({
        peer: from,
        logger: this.#logger,
        limits: this.#limits,
        known: (id) => this.#log.has(id),
        accept: (wire, relayed) => this.#accept(wire, relayed),
      });
      this.#intakes.set(from, intake);
    }
    return intake;
  }

  /**
   * Sends what a member lacks (chat-have pages and chat-wants arrive one by one, each is
   * answered alone), within its history budget.
   */
  #answer(from: string, link: CallLink, lacking: readonly ChatWire[]): void {
    const peer = this.#peer(from);
    const missing = lacking.filter((wire) => !peer.sent.has(wire.id));
    if (missing.length === 0) return;
    if (!peer.budget.take(missing.length)) {
      this.#historyRefused++;
      this.#logger.warn('chat history request refused', { peer: from, messages: missing.length });
      return;
    }
    for (const wire of missing) peer.sent.add(wire.id);
    for (let start = 0; start < missing.length; start += CHAT_BATCH) {
      link.sendControl({ t: 'chat-batch', messages: missing.slice(start, start + CHAT_BATCH) });
    }
  }

  #peer(id: string): HistoryPeer {
    let peer = this.#peers.get(id);
    if (!peer) {
      peer = {
        budget: new TokenBucket({
          burst: this.#budget.messages,
          perSecond: (this.#budget.messages * 1000) / this.#budget.refillMs,
        }),
        sent: new Set(),
      };
      this.#peers.set(id, peer);
    }
    return peer;
  }

  #nameOf(id: string, publicKey: Uint8Array): string | null {
    const author = id === this.#local.id ? this.#local : this.#memberOf(id);
    return author && equalBytes(author.publicKey, publicKey) ? author.name : null;
  }

  /** Checks and stores one message; the intake counts and logs rejections. */
  #accept(wire: ChatWire, relayed: boolean): ChatAcceptResult {
    const result = this.#log.accept(wire, { relayed });
    if (result.status === 'new') this.#onMessage(result.message);
    return result;
  }
}
