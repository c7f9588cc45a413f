/** Counts and sums over a sliding time window: frames per second, bits per second. */
export class RateWindow {
  readonly #windowMs: number;
  readonly #events: { at: number; amount: number }[] = [];

  constructor(windowMs = 1000) {
    this.#windowMs = windowMs;
  }

  add(amount: number, now: number): void {
    this.#events.push({ at: now, amount });
    this.#trim(now);
  }

  /** Events per second over the window. */
  countRate(now: number): number {
    this.#trim(now);
    return (this.#events.length * 1000) / this.#windowMs;
  }

  /** Sum per second over the window. */
  sumRate(now: number): number {
    this.#trim(now);
    let total = 0;
    for (const event of this.#events) total += event.amount;
    return (total * 1000) / this.#windowMs;
  }

  #trim(now: number): void {
    while (this.#events.length > 0 && (this.#events[0]?.at ?? now) <= now - this.#windowMs) {
      this.#events.shift();
    }
  }
}

/** The last `size` samples, for percentiles. */
export class SampleWindow {
  readonly #size: number;
  readonly #values: number[] = [];

  constructor(size = 120) {
    this.#size = size;
  }

  add(value: number): void {
    this.#values.push(value);
    if (this.#values.length > this.#size) this.#values.shift();
  }

  percentile(p: number): number | null {
    if (this.#values.length === 0) return null;
    const sorted = [...this.#values].sort((a, b) => a - b);
    const index = Math.min(
      sorted.length - 1,
      Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
    );
    return sorted[index] ?? null;
  }
}
