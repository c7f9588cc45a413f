/**
 * One token bucket per key (a peer): `burst` tokens, refilled at `perSecond`. Keys whose
 * bucket is full again carry no state and are forgotten, and at most `maxKeys` are kept
 * (beyond that new keys are refused), so strangers with fresh keys cannot grow the map.
 */
export class TokenBuckets {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { burst: number; perSecond: number; maxKeys?: number; now?: () => number }) {
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#maxKeys = options.maxKeys ?? 1024;
    this.#now = options.now ?? Date.now;
  }

  /** Takes a token for `key`; false when its bucket is empty (or too many keys are held). */
  take(key: string): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#forgetFull(now);
      if (this.#buckets.size >= this.#maxKeys) return false;
      bucket = { tokens: this.#burst, at: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #forgetFull(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#perMs >= this.#burst) this.#buckets.delete(key);
    }
  }
}
