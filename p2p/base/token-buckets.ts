import { TokenBucket } from './token-bucket.js';

/**
 * One token bucket per key (a peer): `burst` tokens, refilled at `perSecond`. Keys whose
 * bucket is full again carry no state and are forgotten, and at most `maxKeys` are kept
 * (beyond that new keys are refused), so strangers with fresh keys cannot grow the map.
 */
export class TokenBuckets {
  readonly #rate: { burst: number; perSecond: number };
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(options: { burst: number; perSecond: number; maxKeys?: number; now?: () => number }) {
    this.#rate = { burst: options.burst, perSecond: options.perSecond };
    this.#maxKeys = options.maxKeys ?? 1024;
    this.#now = options.now ?? Date.now;
  }

  /** Takes a token for `key`; false when its bucket is empty (or too many keys are held). */
  take(key: string): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#forgetFull();
      if (this.#buckets.size >= this.#maxKeys) return false;
      bucket = new TokenBucket(this.#rate, this.#now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take();
  }

  #forgetFull(): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.available >= this.#rate.burst) this.#buckets.delete(key);
    }
  }
}
