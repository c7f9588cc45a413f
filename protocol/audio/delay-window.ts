/**
 * The arrival-jitter estimate behind the jitter buffer's target, and u32 unwrapping.
 *
 * Per packet, the relative delay d = arrivalMs − captureTs: any fixed offset between the
 * sender's and our clock cancels out of d − min(d). Jitter = the 95th percentile of
 * (d − min d) over the last `windowMs` of arrivals.
 */

const U32 = 2 ** 32;
const HALF_U32 = 2 ** 31;

/** The extended (unwrapped) value of the u32 `value` nearest to the extended `reference`. */
export function unwrapU32(value: number, reference: number): number {
  const low = ((reference % U32) + U32) % U32;
  let diff = (((value - low) % U32) + U32) % U32;
  if (diff >= HALF_U32) diff -= U32;
  return reference + diff;
}

/**
 * A delay this far from the window's minimum is no network delay: the sender's clock or our
 * correction of it jumped. A few such packets in a row restart the window from them.
 */
const CLOCK_JUMP_MS = 1000;
const CLOCK_JUMP_PACKETS = 3;
/** Bounds memory whatever the packet rate (2 s of 2.5 ms packets is 800). */
const MAX_ENTRIES = 1024;

export class DelayWindow {
  readonly #windowMs: number;
  #arrivals: number[] = [];
  #delays: number[] = [];
  #min = Number.POSITIVE_INFINITY;
  #jitter = 0;
  #outliers = 0;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** The smallest relative delay in the window (+∞ while empty). */
  get min(): number {
    return this.#min;
  }

  /** p95 of (d − min d) over the window, ms. */
  get jitter(): number {
    return this.#jitter;
  }

  add(arrivalMs: number, captureTs: number): void {
    const d = arrivalMs - captureTs;
    if (!Number.isFinite(d)) return;
    if (this.#delays.length > 0 && Math.abs(d - this.#min) > CLOCK_JUMP_MS) {
      this.#outliers++;
      if (this.#outliers < CLOCK_JUMP_PACKETS) return;
      this.clear();
    }
    this.#outliers = 0;
    this.#arrivals.push(arrivalMs);
    this.#delays.push(d);
    this.#prune(arrivalMs);
    this.#recompute();
  }

  clear(): void {
    this.#arrivals = [];
    this.#delays = [];
    this.#min = Number.POSITIVE_INFINITY;
    this.#jitter = 0;
    this.#outliers = 0;
  }

  #prune(nowMs: number): void {
    let drop = 0;
    while (
      drop < this.#arrivals.length - 1 &&
      (nowMs - this.#arrivals[drop]! > this.#windowMs || this.#arrivals.length - drop > MAX_ENTRIES)
    ) {
      drop++;
    }
    if (drop > 0) {
      this.#arrivals.splice(0, drop);
      this.#delays.splice(0, drop);
    }
  }

  #recompute(): void {
    const sorted = [...this.#delays].sort((a, b) => a - b);
    const min = sorted[0] ?? Number.POSITIVE_INFINITY;
    this.#min = min;
    const rank = Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1);
    this.#jitter = sorted.length === 0 ? 0 : sorted[Math.max(0, rank)]! - min;
  }
}
