/**
 * A token bucket: holds up to `capacity` tokens, refilled continuously so that an empty
 * bucket is full again after `refillMs`. Bounds how much of something a peer may ask for,
 * in bursts and over time.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;

  constructor(capacity: number, refillMs: number, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#perMs = capacity / refillMs;
    this.#now = now;
    this.#tokens = capacity;
    this.#updated = now();
  }

  /** Takes `cost` tokens if there are that many; otherwise takes none. */
  take(cost = 1): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updated) * this.#perMs);
    this.#updated = now;
    if (cost > this.#tokens) return false;
    this.#tokens -= cost;
    return true;
  }
}
