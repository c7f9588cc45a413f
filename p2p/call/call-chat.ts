import type { ChatAuthor, ChatMessage } from '../chat/chat-log.js';
import { ChatLog } from '../chat/chat-log.js';
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

  constructor(options: {
    callId: string;
    local: ChatAuthor;
    logger: Logger;
    /** A message we had not seen yet. */
    onMessage: (message: ChatMessage) => void;
  }) {
    this.#log = new ChatLog(options.callId, options.local);
    this.#logger = options.logger;
    this.#onMessage = options.onMessage;
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
        this.#accept(from, message.message);
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
        for (const wire of message.messages) this.#accept(from, wire);
        return;
    }
  }

  #accept(from: string, wire: ChatWire): void {
    const result = this.#log.accept(wire);
    if (result.status === 'new') this.#onMessage(result.message);
    if (result.status === 'rejected') {
      this.#logger.warn('chat message rejected', { peer: from, reason: result.reason });
    }
  }
}
