import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Opener, Sealer } from '../../crypto/index.js';
import { CHUNK_HEADER_BYTES, splitIntoChunks } from '../../p2p/media/chunks.js';
import { RESTART_AFTER_SILENCE_MS, Reassembler } from '../../p2p/media/reassembler.js';

const MESSAGES = 200_000;
const KEY = new Uint8Array(32).fill(0x5a);
const KEY_ID = 7;
const MESSAGE_SIZES = [CHUNK_HEADER_BYTES + 1, 40, 200, 1200];

/** mulberry32: a reproducible stream, so a failure names the seed that replays it. */
function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

class Fuzzer {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = randomSource(seed);
  }

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }

  /** Damage of the kinds a buggy or hostile sender could produce. */
  mutate(chunk: Uint8Array): Uint8Array {
    const out = chunk.slice();
    const view = new DataView(out.buffer);
    switch (this.int(7)) {
      case 0: {
        const at = this.int(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << this.int(8));
        return out;
      }
      case 1:
        return out.subarray(0, this.int(out.length));
      case 2: {
        const longer = new Uint8Array(out.length + 1 + this.int(40));
        longer.set(out);
        longer.set(this.bytes(longer.length - out.length), out.length);
        return longer;
      }
      case 3:
        // frameNumber: near the real one (the interesting case) or anywhere.
        view.setUint32(
          2,
          this.chance(0.7) ? view.getUint32(2) + this.int(5) - 2 : this.int(2 ** 32),
        );
        return out;
      case 4:
        view.setUint16(6, this.chance(0.7) ? view.getUint16(6) + this.int(3) - 1 : this.int(65536));
        return out;
      case 5:
        view.setUint16(8, this.chance(0.7) ? view.getUint16(8) + this.int(3) - 1 : this.int(65536));
        return out;
      default:
        view.setUint32(
          10,
          this.chance(0.7) ? view.getUint32(10) + this.int(3) - 1 : this.int(2 ** 32),
        );
        return out;
    }
  }
}

describe('reassembler fuzz', function () {
  this.timeout(120_000);

  it('survives random and mutated chunks, returning only frames that were sent or fail to open', () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 32);
    const fuzz = new Fuzzer(seed);
    const options = { maxPendingFrames: 4, staleAfterMs: 500, maxFrameBytes: 32 * 1024 };
    const bound = options.maxPendingFrames * options.maxFrameBytes;
    const reassembler = new Reassembler(options);
    const sealer = new Sealer(KEY, KEY_ID);
    const sent = new Set<string>();
    let mutatedOut = 0;
    const lastReturned = new Map<number, { frameNumber: number; at: number }>();
    const nextFrame = [0, 0];
    const recent: Uint8Array[] = [];
    let queue: Uint8Array[] = [];
    let now = 1_000_000;
    let pushed = 0;

    const deliver = (message: Uint8Array): void => {
      pushed++;
      now += fuzz.int(3);
      const done = reassembler.push(message, now);
      assert.ok(reassembler.pendingBytes <= bound, `pendingBytes ${reassembler.pendingBytes}`);
      if (!done) return;
      if (!sent.has(digest(done.sealed))) {
        // Only reachable through damage the chunk header cannot reveal; opening must catch it.
        const opener = new Opener();
        opener.addKey(KEY_ID, KEY);
        assert.equal(opener.open(done.sealed).ok, false, 'a frame never sent opened');
        mutatedOut++;
      }
      const previous = lastReturned.get(done.stream);
      if (previous && now - previous.at <= RESTART_AFTER_SILENCE_MS) {
        const ahead = (done.frameNumber - previous.frameNumber) >>> 0;
        assert.ok(
          ahead > 0 && ahead < 2 ** 31,
          `frame ${done.frameNumber} after ${previous.frameNumber}`,
        );
      }
      lastReturned.set(done.stream, { frameNumber: done.frameNumber, at: now });
    };

    try {
      while (pushed < MESSAGES) {
        if (fuzz.chance(0.002)) now += fuzz.pick([600, RESTART_AFTER_SILENCE_MS + 100]);
        if (fuzz.chance(0.001)) nextFrame[fuzz.int(2)] = 0;
        const stream = fuzz.int(2);
        const frameNumber = nextFrame[stream] ?? 0;
        nextFrame[stream] = frameNumber + 1;
        // Mostly frames of a few chunks, which can complete despite loss; some above maxFrameBytes.
        const large = fuzz.chance(0.03);
        const messageBytes = large ? 16 * 1024 : fuzz.pick(MESSAGE_SIZES);
        const size = large
          ? 20_000 + fuzz.int(20_000)
          : 1 + fuzz.int((messageBytes - CHUNK_HEADER_BYTES) * (1 + fuzz.int(12)));
        const sealed = sealer.seal(fuzz.bytes(size));
        sent.add(digest(sealed));
        const chunks = splitIntoChunks(sealed, { stream, frameNumber }, messageBytes);
        for (const chunk of chunks) {
          if (!fuzz.chance(0.02)) queue.push(chunk);
          if (fuzz.chance(0.03)) queue.push(chunk);
          recent.push(chunk);
          if (recent.length > 64) recent.shift();
        }
        const noise = fuzz.int(4);
        for (let i = 0; i < noise; i++) {
          queue.push(fuzz.chance(0.2) ? fuzz.bytes(fuzz.int(64)) : fuzz.mutate(fuzz.pick(recent)));
        }
        // Reordering: a random part of the queue goes out in random order, the rest waits.
        for (let i = queue.length - 1; i > 0; i--) {
          const j = fuzz.int(i + 1);
          [queue[i], queue[j]] = [queue[j] as Uint8Array, queue[i] as Uint8Array];
        }
        const keep = fuzz.int(Math.min(queue.length, 8) + 1);
        for (const message of queue.slice(keep)) deliver(message);
        queue = queue.slice(0, keep);
      }
    } catch (err) {
      throw new Error(`fuzz failed with FUZZ_SEED=${seed}: ${String(err)}`, { cause: err });
    }

    const stats = reassembler.stats;
    console.log(`      seed ${seed}: ${JSON.stringify(stats)}, ${mutatedOut} damaged out`);
    // The run must have exercised every path, or it proves little.
    assert.equal(stats.chunks, pushed);
    assert.ok(stats.completed > 5000, `completed ${stats.completed}`);
    for (const key of [
      'malformed',
      'duplicates',
      'inconsistent',
      'droppedIncomplete',
      'droppedLate',
    ] as const) {
      assert.ok(stats[key] > 100, `${key} ${stats[key]}`);
    }
    assert.ok(mutatedOut < stats.completed / 10, `${mutatedOut} damaged frames came out`);
  });
});
