/**
 * Cheap damage for the bulk of a long run. fast-check builds a corpus of structured inputs
 * (valid and structurally damaged, see mutate.ts) at ~0.1–1 ms each; a million inputs per
 * parser then come from these byte-level mutations of corpus entries (as libFuzzer or AFL do
 * with a seed corpus), at ~1 µs each, from a seeded generator so any input replays.
 */

/** mulberry32: small, fast and reproducible. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  int(max: number): number {
    return max <= 0 ? 0 : this.next() % max;
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Tokens worth splicing in (an AFL-style dictionary): JSON syntax, extremes, odd text. */
const TOKENS: readonly Uint8Array[] = [
  'null',
  'true',
  '-1',
  '0',
  '1e308',
  '-0',
  '9007199254740993',
  '8640000000000001',
  '4294967296',
  '"',
  '\\',
  '{}',
  '[]',
  ',',
  ':',
  '{"__proto__":1}',
  '\\u0000',
  '\\ud800',
  '"t":',
  '==',
  '=',
].map((t) => encoder.encode(t));
const EXTREMES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] as const;

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const end = Math.min(bytes.length, at + remove);
  const out = new Uint8Array(at + insert.length + bytes.length - end);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(end), at + insert.length);
  return out;
}

/** One to four random edits of a copy of `bytes`. */
export function havocBytes(bytes: Uint8Array, rng: Rng): Uint8Array {
  let out = bytes;
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const n = out.length;
    const at = rng.int(n + 1);
    switch (rng.int(9)) {
      case 0:
      case 1: {
        out = out.slice();
        if (n > 0) out[at % n] = (out[at % n] ?? 0) ^ (1 << rng.int(8));
        break;
      }
      case 2: {
        out = out.slice();
        if (n > 0) out[at % n] = rng.pick(EXTREMES);
        break;
      }
      case 3: {
        // A 16- or 32-bit field set to an extreme (lengths, counts, indices).
        out = out.slice();
        const width = rng.chance(0.5) ? 2 : 4;
        const value = rng.pick(EXTREMES);
        for (let i = 0; i < width && at + i < n; i++) out[at + i] = value;
        break;
      }
      case 4:
        out = out.slice(0, at);
        break;
      case 5:
        out = splice(out, at, 0, rng.pick(TOKENS));
        break;
      case 6:
        out = splice(out, at, 1 + rng.int(4), rng.pick(TOKENS));
        break;
      case 7: {
        const from = rng.int(n + 1);
        out = splice(out, at, 0, out.slice(from, from + 1 + rng.int(32)));
        break;
      }
      default:
        out = splice(out, at, 1 + rng.int(16), new Uint8Array(0));
    }
  }
  return out;
}

/** The same on the UTF-8 of a text (invalid sequences come back as U+FFFD). */
export function havocText(text: string, rng: Rng): string {
  return decoder.decode(havocBytes(encoder.encode(text), rng));
}
