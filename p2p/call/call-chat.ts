import type { ChatAcceptResult, ChatAuthor, ChatMessage } from '../chat/chat-log.js';
import { ChatLog } from '../chat/chat-log.js';
import type { ChatIntakeLimits } from '../chat/chat-intake.js';
import { ChatIntake } from '../chat/chat-intake.js';
import type { Logger } from '../base/logger.js';
import type { ChatWire, ControlMessage } from '../link/control-messages.js';
import { CHAT_BATCH, CHAT_HAVE_PAGE } from '../link/control-messages.js';
import type { CallLink } from './call-link.js';

/**
 * A call's chat on the wire: our messages to every member, theirs into the log, and
 * anti-entropy on every link that opens (we tell what we hold; the other side sends what we
 * miss: late joiners, and anything sent while a link was down).
 */
export class CallChat {
  readonly #log: ChatLog;
  readonly #logger: Logger;
  readonly #onMessage: (message: ChatMessage) => void;
  readonly #limits: ChatIntakeLimits | undefined;
  /** Per member: what its link brought, checked within its budget. */
  readonly #intakes = new Map<string, ChatIntake>();

  constructor(options: {
    callId: string;
    local: ChatAuthor;
    logger: Logger;
    /** A message we had not seen yet. */
    onMessage: (message: ChatMessage) => void;
    intakeLimits?: ChatIntakeLimits;
  }) {
    this.#log = new ChatLog(options.callId, options.local);
    this.#logger = options.logger;
    this.#onMessage = options.onMessage;
    this.#limits = options.intakeLimits;
  }

  /** The whole chat so far, in the order every member shows it. */
  history(): readonly ChatMessage[] {
    return this.#log.ordered();
  }

  send(text: string, links: Iterable<CallLink>): ChatMessage {
    const { message, wire } = this.#log.compose(text);
    for (const link of links) link.sendControl({ t: 'chat', message: wire });
    return message;
  }

  /** A link just opened: tell what we hold, page by page (an empty page when we hold none). */
  sync(link: CallLink): void {
    const ids = this.#log.ids();
    for (let start = 0; start === 0 || start < ids.length; start += CHAT_HAVE_PAGE) {
      link.sendControl({ t: 'chat-have', ids: ids.slice(start, start + CHAT_HAVE_PAGE) });
    }
  }

  /** A chat message from a member's link; `link` is where what it misses goes back. */
  handle(
    from: string,
    link: CallLink | null,
    message: Extract<ControlMessage, { t: 'chat' | 'chat-have' | 'chat-batch' }>,
  ): void {
    switch (message.t) {
      case 'chat':
        this.#intake(from).push([message.message]);
        return;
      case 'chat-have': {
        // Chat-have pages arrive one by one; answering each page on its own is enough.
        const missing = this.#log.missingFor(new Set(message.ids));
        for (let start = 0; start < missing.length; start += CHAT_BATCH) {
          const messages = missing.slice(start, start + CHAT_BATCH);
          link?.sendControl({ t: 'chat-batch', messages });
        }
        return;
      }
      case 'chat-batch':
        this.#intake(from).push(message.messages);
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
        accept: (wire) => this.#accept(wire),
      });
      this.#intakes.set(from, intake);
    }
    return intake;
  }

  #accept(wire: ChatWire): ChatAcceptResult {
    const result = this.#log.accept(wire);
    if (result.status === 'new') this.#onMessage(result.message);
    return result;
  }
}
