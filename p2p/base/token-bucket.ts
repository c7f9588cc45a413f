/**
 * A token bucket: up to `burst` tokens, refilled at `perSecond`. Each admitted event takes one;
 * with none left the event is refused. The clock is injected so tests need not sleep.
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

  /** Takes a token if there is one. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Tokens left now (fractional while refilling). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + elapsed * this.#rate.perSecond);
    this.#at = now;
  }
}
