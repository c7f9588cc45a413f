import type { Logger } from '../base/logger.js';
import { ThrottledWarning } from '../base/throttled-warning.js';
import { TokenBucket } from '../base/token-bucket.js';

export interface ControlBudgetLimits {
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
}

/**
 * What one peer may send us on a link's control channel. Honest traffic is a few messages a
 * second (heartbeats, media reports, chat) plus a burst of chat batches when a link opens;
 * the burst allowance covers the latter. Everything costs us a decryption and a parse, so a
 * member sending more has the excess dropped before either.
 */
export const CONTROL_BUDGET: ControlBudgetLimits = {
  messagesPerSecond: 400,
  messageBurst: 1000,
  bytesPerSecond: 512 * 1024,
  byteBurst: 512 * 1024,
};

/** One link's control budget: admits or drops each arriving message, counts and logs drops. */
export class ControlBudget {
  readonly #messages: TokenBucket;
  readonly #bytes: TokenBucket;
  readonly #warning: ThrottledWarning;
  readonly #peer: string;
  dropped = 0;
  droppedBytes = 0;

  constructor(
    peer: string,
    logger: Logger,
    limits = CONTROL_BUDGET,
    readonly clock: () => number = Date.now,
  ) {
    this.#peer = peer;
    this.#warning = new ThrottledWarning(logger, 'control messages over budget dropped');
    this.#messages = new TokenBucket(
      { perSecond: limits.messagesPerSecond, burst: limits.messageBurst },
      clock,
    );
    this.#bytes = new TokenBucket(
      { perSecond: limits.bytesPerSecond, burst: limits.byteBurst },
      clock,
    );
  }

  /**
   * False when the message is over budget: the caller drops it unread. A message dropped for
   * its bytes still spends a message token: it arrived and cost us its reception.
   */
  admit(bytes: number, now = this.clock()): boolean {
    if (this.#messages.take(1, now) && this.#bytes.take(bytes, now)) return true;
    this.dropped++;
    this.droppedBytes += bytes;
    this.#warning.note({ peer: this.#peer, dropped: this.dropped, bytes: this.droppedBytes }, now);
    return false;
  }
}
