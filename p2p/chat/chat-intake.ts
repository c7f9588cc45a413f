import type { Logger } from '../base/logger.js';
import { ThrottledWarning } from '../base/throttled-warning.js';
import { TokenBucket } from '../base/token-bucket.js';
import type { ChatWire } from '../link/control-messages.js';
import type { ChatAcceptResult } from './chat-log.js';

export interface ChatIntakeLimits {
  /** Signature checks per slice for one member's link... */
  verificationsPerSlice: number;
  /** ...per this many milliseconds. */
  sliceMs: number;
  /** Messages waiting for their check; beyond this they are dropped (and counted). */
  queueLimit: number;
}

/**
 * 32 checks per 100 ms is 6–10 ms of native Ed25519 work per 100 ms at worst (0.2–0.3 ms a
 * check on this loaded 2-core machine), and lets an honest member's whole 20 000-message
 * history through in about a minute (a usual one of a few hundred in a second). The queue
 * holds what an honest history answer brings at once before it drains.
 */
export const CHAT_INTAKE: ChatIntakeLimits = {
  verificationsPerSlice: 32,
  sliceMs: 100,
  queueLimit: 2048,
};

/**
 * One member's incoming chat (its own messages and those it relays): every message costs a
 * signature check, so a member may spend only so many per time slice; the rest waits in a
 * bounded queue and is checked in later slices, in arrival order. Each member has its own
 * intake, so one member flooding forged batches delays nobody else's chat.
 */
export class ChatIntake {
  readonly #peer: string;
  readonly #limits: ChatIntakeLimits;
  readonly #bucket: TokenBucket;
  readonly #known: (id: string) => boolean;
  readonly #accept: (wire: ChatWire, relayed: boolean) => ChatAcceptResult;
  readonly #overflow: ThrottledWarning;
  readonly #rejections: ThrottledWarning;
  /** With whether it came as history (relayed) or live from its author. */
  readonly #queue: { wire: ChatWire; relayed: boolean }[] = [];
  readonly #queued = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Dropped because the queue was full. */
  dropped = 0;
  /** Checked and refused (bad signature, author mismatch…). */
  rejected = 0;

  constructor(options: {
    peer: string;
    logger: Logger;
    /** Already in the log: costs no check. */
    known: (id: string) => boolean;
    /** Checks and stores one message (ChatLog.accept and what follows). */
    accept: (wire: ChatWire, relayed: boolean) => ChatAcceptResult;
    limits?: ChatIntakeLimits | undefined;
  }) {
    this.#peer = options.peer;
    this.#limits = options.limits ?? CHAT_INTAKE;
    const { verificationsPerSlice: perSlice, sliceMs } = this.#limits;
    this.#bucket = new TokenBucket({ perSecond: (perSlice * 1000) / sliceMs, burst: perSlice });
    this.#known = options.known;
    this.#accept = options.accept;
    this.#overflow = new ThrottledWarning(options.logger, 'chat over budget dropped');
    this.#rejections = new ThrottledWarning(options.logger, 'chat message rejected');
  }

  get queued(): number {
    return this.#queue.length;
  }

  push(wires: readonly ChatWire[], relayed = false): void {
    if (this.#closed) return;
    for (const wire of wires) {
      if (this.#queued.has(wire.id) || this.#known(wire.id)) continue;
      if (this.#queue.length >= this.#limits.queueLimit) {
        this.dropped++;
        this.#overflow.note({ peer: this.#peer, dropped: this.dropped });
        continue;
      }
      this.#queue.push({ wire, relayed });
      this.#queued.add(wire.id);
    }
    this.#drain();
  }

  /** Idempotent: forgets what waits and stops the timer. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue.length = 0;
    this.#queued.clear();
  }

  #drain(): void {
    if (this.#closed) return;
    const now = Date.now();
    while (this.#queue.length > 0) {
      const { wire: next, relayed } = this.#queue[0] as { wire: ChatWire; relayed: boolean };
      // Relayed by another member meanwhile: nothing left to check.
      if (!this.#known(next.id)) {
        if (!this.#bucket.take(1, now)) break;
        const result = this.#accept(next, relayed);
        if (this.#closed) return;
        if (result.status === 'rejected') {
          this.rejected++;
          this.#rejections.note({
            peer: this.#peer,
            reason: result.reason,
            rejected: this.rejected,
          });
        }
      }
      this.#queue.shift();
      this.#queued.delete(next.id);
    }
    if (this.#queue.length === 0 || this.#timer) return;
    // Wake when a quarter slice's worth of checks is available: short bursts of work.
    const chunk = Math.min(this.#queue.length, Math.ceil(this.#limits.verificationsPerSlice / 4));
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#drain();
      },
      Math.max(1, this.#bucket.msUntil(chunk)),
    );
  }
}
