/**
 * A token bucket: `rate` tokens a second, at most `burst` saved up. Synchronous and
 * clock-injected, because it sits on the hot path of every control message and the tests
 * drive it with a fake clock. (The rate-limiting packages on npm are promise-based queues.)
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(rate: number, burst: number, now = Date.now()) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes `amount` tokens if there are that many; otherwise takes none. */
  take(amount: number, now = Date.now()): boolean {
    this.#refill(now);
    if (this.#tokens < amount) return false;
    this.#tokens -= amount;
    return true;
  }

  /** Milliseconds until `amount` tokens will be there (0 if they are now). */
  msUntil(amount: number, now = Date.now()): number {
    this.#refill(now);
    const missing = Math.min(amount, this.#burst) - this.#tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.#rate);
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    this.#at = now;
  }
}
