/**
 * A token bucket: up to `burst` tokens, refilled at `perSecond`. Each admitted event takes its
 * cost in tokens; with too few left it takes none and is refused. Synchronous and
 * clock-injected, because it sits on the hot path of every control message and hello, and
 * the tests drive it with a fake clock (the rate-limiting packages on npm are promise-based
 * queues). A caller that already read the clock may pass the time to `take`/`msUntil`.
 */
export interface TokenBucketRate {
  readonly burst: number;
  readonly perSecond: number;
}

export class TokenBucket {
  readonly #rate: TokenBucketRate;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(rate: TokenBucketRate, now: () => number = Date.now) {
    if (!(rate.burst >= 1) || !(rate.perSecond > 0)) {
      throw new RangeError(
        `token bucket needs burst ≥ 1 and a positive rate, got ${JSON.stringify(rate)}`,
      );
    }
    this.#rate = rate;
    this.#now = now;
    this.#tokens = rate.burst;
    this.#at = now();
  }

  /** Takes `amount` tokens if there are that many; otherwise takes none. */
  take(amount = 1, at = this.#now()): boolean {
    this.#refill(at);
    if (this.#tokens < amount) return false;
    this.#tokens -= amount;
    return true;
  }

  /** Milliseconds until `amount` tokens will be there (0 if they are now). */
  msUntil(amount = 1, at = this.#now()): number {
    this.#refill(at);
    const missing = Math.min(amount, this.#rate.burst) - this.#tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.#rate.perSecond);
  }

  /** Tokens left now (fractional while refilling). */
  get available(): number {
    this.#refill(this.#now());
    return this.#tokens;
  }

  #refill(at: number): void {
    const elapsed = Math.max(0, at - this.#at) / 1000;
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + elapsed * this.#rate.perSecond);
    this.#at = at;
  }
}
