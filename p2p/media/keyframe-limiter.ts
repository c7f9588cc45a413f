import { TypedEmitter } from '../base/typed-emitter.js';

export interface KeyframeLimiterEvents {
  /** Ask the encoder for a keyframe on this layer now. */
  force: [number];
}

/** At most one forced keyframe per layer this often: a keyframe costs several deltas. */
export const KEYFRAME_INTERVAL_MS = 100;

/**
 * Rate-limits keyframe requests per layer: the first request is passed on at once, later
 * ones within KEYFRAME_INTERVAL_MS coalesce into a single request when the interval ends. A
 * keyframe of that layer going out meanwhile answers them all (it is newer than any loss
 * its requesters saw), so the pending one is dropped.
 */
export class KeyframeLimiter extends TypedEmitter<KeyframeLimiterEvents> {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #forcedAt = new Map<number, number>();
  readonly #pending = new Map<number, NodeJS.Timeout>();
  #forced = 0;
  #closed = false;

  constructor(intervalMs = KEYFRAME_INTERVAL_MS, now: () => number = () => performance.now()) {
    super();
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Keyframes forced so far (requests passed on to the encoder). */
  get forced(): number {
    return this.#forced;
  }

  request(layer: number): void {
    if (this.#closed || this.#pending.has(layer)) return;
    const waitMs = (this.#forcedAt.get(layer) ?? -Infinity) + this.#intervalMs - this.#now();
    if (waitMs <= 0) {
      this.#force(layer);
      return;
    }
    const timer = setTimeout(() => {
      this.#pending.delete(layer);
      if (!this.#closed) this.#force(layer);
    }, waitMs);
    this.#pending.set(layer, timer);
  }

  /** A keyframe of `layer` went out: it answers every request still waiting. */
  sent(layer: number): void {
    const timer = this.#pending.get(layer);
    if (timer) clearTimeout(timer);
    this.#pending.delete(layer);
  }

  /** Idempotent: drops pending requests. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    this.removeAllListeners();
  }

  #force(layer: number): void {
    this.#forcedAt.set(layer, this.#now());
    this.#forced++;
    this.emit('force', layer);
  }
}
