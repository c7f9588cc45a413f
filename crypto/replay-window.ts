import { CryptoMisuseError } from './errors.js';
import { requireU64 } from './guards.js';

export type ReplayVerdict = 'fresh' | 'replayed' | 'stale';

export const DEFAULT_WINDOW_SIZE = 1024;

export function requireWindowSize(size: number): void {
  if (!Number.isInteger(size) || size <= 0 || size % 32 !== 0) {
    throw new CryptoMisuseError(
      'ERR_BAD_ARGUMENT',
      'window size must be a positive multiple of 32',
    );
  }
}

/**
 * Remembers which of the last `size` counters below the highest one were seen, so unordered
 * media can arrive out of order yet every counter is accepted at most once. Counter c lives in
 * bit c mod size; the window always spans fewer than `size` counters, so bits never alias.
 */
export class ReplayWindow {
  readonly #size: bigint;
  readonly #bits: Uint32Array;
  #highest: bigint | null = null;

  constructor(size = DEFAULT_WINDOW_SIZE) {
    requireWindowSize(size);
    this.#size = BigInt(size);
    this.#bits = new Uint32Array(size / 32);
  }

  get highest(): bigint | null {
    return this.#highest;
  }

  check(counter: bigint): ReplayVerdict {
    requireU64(counter, 'counter');
    const highest = this.#highest;
    if (highest === null || counter > highest) return 'fresh';
    if (counter + this.#size <= highest) return 'stale';
    return this.#isSet(counter) ? 'replayed' : 'fresh';
  }

  /** Only for counters `check` calls fresh and whose packet authenticated; anything else is a bug. */
  accept(counter: bigint): void {
    const verdict = this.check(counter);
    if (verdict !== 'fresh') {
      throw new CryptoMisuseError('ERR_BAD_ARGUMENT', `cannot accept a ${verdict} counter`);
    }
    const highest = this.#highest;
    if (highest === null || counter - highest >= this.#size) {
      this.#bits.fill(0);
    } else {
      // Counters skipped over by this jump enter the window unseen; their bits still hold
      // counters that just slid out of it.
      for (let skipped = highest + 1n; skipped < counter; skipped++) this.#clear(skipped);
    }
    if (highest === null || counter > highest) this.#highest = counter;
    this.#set(counter);
  }

  #position(counter: bigint): { word: number; mask: number } {
    const bit = Number(counter % this.#size);
    return { word: bit >>> 5, mask: 1 << (bit & 31) };
  }

  #isSet(counter: bigint): boolean {
    const { word, mask } = this.#position(counter);
    return ((this.#bits[word] ?? 0) & mask) !== 0;
  }

  #set(counter: bigint): void {
    const { word, mask } = this.#position(counter);
    this.#bits[word] = (this.#bits[word] ?? 0) | mask;
  }

  #clear(counter: bigint): void {
    const { word, mask } = this.#position(counter);
    this.#bits[word] = (this.#bits[word] ?? 0) & ~mask;
  }
}
