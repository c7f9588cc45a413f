import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CHUNK_HEADER_BYTES,
  MAX_CHUNKS,
  MAX_FRAME_BYTES,
  splitIntoChunks,
} from '../../p2p/media/chunks.js';
import type { ReassembledFrame, ReassemblerOptions } from '../../p2p/media/reassembler.js';
import { RESTART_AFTER_SILENCE_MS, Reassembler } from '../../p2p/media/reassembler.js';

interface SentFrame {
  stream: number;
  frameNumber: number;
  sealed: Uint8Array;
  chunks: Uint8Array[];
}

/** Bytes that differ per frame, so a mix-up between frames cannot go unnoticed. */
function frame(
  frameNumber: number,
  options: { stream?: number; size?: number; maxMessageBytes?: number } = {},
): SentFrame {
  const stream = options.stream ?? 0;
  const size = options.size ?? 100;
  const sealed = Uint8Array.from(
    { length: size },
    (_, i) => (i * 7 + frameNumber * 13 + stream) & 0xff,
  );
  const chunks = splitIntoChunks(sealed, { stream, frameNumber }, options.maxMessageBytes ?? 40);
  return { stream, frameNumber, sealed, chunks };
}

function chunk(sent: SentFrame, index: number): Uint8Array {
  const c = sent.chunks[index];
  assert.ok(c, `frame ${sent.frameNumber} has no chunk ${index}`);
  return c;
}

/** Pushes every message at `now`; returns what came out. */
function pushAll(r: Reassembler, messages: Uint8Array[], now = 0): ReassembledFrame[] {
  const out: ReassembledFrame[] = [];
  for (const message of messages) {
    const done = r.push(message, now);
    if (done) out.push(done);
  }
  return out;
}

function assertDelivered(got: ReassembledFrame | ReassembledFrame[], ...sent: SentFrame[]): void {
  const list = Array.isArray(got) ? got : [got];
  assert.deepEqual(
    list.map((f) => [f.stream, f.frameNumber, f.sealed]),
    sent.map((f) => [f.stream, f.frameNumber, f.sealed]),
  );
}

/** A chunk that parses but announces a different shape for the same frame. */
function reshaped(sent: SentFrame, totalBytes: number, chunkCount: number): Uint8Array {
  const body = Math.ceil(totalBytes / chunkCount);
  const message = new Uint8Array(CHUNK_HEADER_BYTES + body);
  const view = new DataView(message.buffer);
  view.setUint8(0, 1);
  view.setUint8(1, sent.stream);
  view.setUint32(2, sent.frameNumber);
  view.setUint16(6, 0);
  view.setUint16(8, chunkCount);
  view.setUint32(10, totalBytes);
  return message;
}

describe('reassembler', () => {
  it('returns a frame delivered in order, on its last chunk, as a fresh copy', () => {
    const r = new Reassembler();
    const f = frame(1);
    assert.equal(f.chunks.length, 4);
    const results = f.chunks.map((c) => r.push(c, 0));
    assert.deepEqual(results.slice(0, 3), [null, null, null]);
    const done = results[3];
    assert.ok(done);
    assertDelivered(done, f);
    assert.notEqual(done.sealed.buffer, chunk(f, 0).buffer);
    assert.equal(r.pendingBytes, 0);
    assert.deepEqual(r.stats, {
      chunks: 4,
      malformed: 0,
      duplicates: 0,
      inconsistent: 0,
      completed: 1,
      droppedIncomplete: 0,
      droppedLate: 0,
      neverArrived: 0,
      bytes: f.chunks.reduce((sum, c) => sum + c.length, 0),
    });
  });

  it('returns a single-chunk frame at once without evicting pending ones', () => {
    const r = new Reassembler({ maxPendingFrames: 1 });
    const other = frame(1, { stream: 1 });
    assert.equal(r.push(chunk(other, 0), 0), null);
    const single = frame(7, { size: 10 });
    assertDelivered(pushAll(r, single.chunks), single);
    assertDelivered(pushAll(r, other.chunks.slice(1)), other);
    assert.equal(r.stats.droppedIncomplete, 0);
  });

  it('reassembles whatever the order and duplication within a frame', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: CHUNK_HEADER_BYTES + 1, max: 600 }),
        fc.array(fc.nat(), { maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (size, requestedMessageBytes, orderKeys, duplicatePicks) => {
          const maxMessageBytes = Math.max(
            requestedMessageBytes,
            CHUNK_HEADER_BYTES + Math.ceil(size / MAX_CHUNKS),
          );
          const f = frame(3, { size, maxMessageBytes });
          const delivery = f.chunks.map((c, i) => ({ c, key: orderKeys[i] ?? i }));
          for (const pick of duplicatePicks) {
            delivery.push({ c: chunk(f, pick % f.chunks.length), key: pick });
          }
          delivery.sort((a, b) => a.key - b.key);
          const r = new Reassembler();
          const got = pushAll(
            r,
            delivery.map((d) => d.c),
          );
          assertDelivered(got, f);
          const stats = r.stats;
          assert.equal(stats.duplicates, duplicatePicks.length);
          assert.equal(stats.completed, 1);
          assert.equal(r.pendingBytes, 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts every frame exactly once, whatever happens to its chunks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { maxLength: 200 }),
        (frameCount, fates) => {
          const frames = Array.from({ length: frameCount }, (_, n) => frame(n + 1));
          const delivery: { c: Uint8Array; key: number }[] = [];
          let i = 0;
          for (const f of frames) {
            for (const c of f.chunks) {
              const [key, lost, duplicated] = fates[i++] ?? [i, false, false];
              if (!lost) delivery.push({ c, key });
              if (duplicated) delivery.push({ c, key: key + 3 });
            }
          }
          delivery.sort((a, b) => a.key - b.key);
          const r = new Reassembler({ maxPendingFrames: 3 });
          const got = pushAll(
            r,
            delivery.map((d) => d.c),
          );
          // A push well after everything goes stale flushes what is still pending.
          r.push(new Uint8Array(0), 10_000);
          let previous = 0;
          for (const f of got) {
            assert.ok(f.frameNumber > previous, 'frames come out in increasing order');
            previous = f.frameNumber;
            assert.deepEqual(f.sealed, frames[f.frameNumber - 1]?.sealed);
          }
          const s = r.stats;
          const seen = new Set(
            delivery.map((d) => new DataView(d.c.buffer, d.c.byteOffset).getUint32(2)),
          );
          assert.equal(s.completed, got.length);
          assert.equal(s.completed + s.droppedIncomplete + s.droppedLate, seen.size);
          assert.equal(r.pendingBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never returns a frame that lost a chunk, and counts it once when a newer one completes', () => {
    const r = new Reassembler();
    const lossy = frame(1);
    const next = frame(2);
    assert.deepEqual(pushAll(r, [chunk(lossy, 0), chunk(lossy, 1), chunk(lossy, 3)]), []);
    // Three 25-byte bodies arrived: that, not the announced 100, is what is held.
    assert.equal(r.pendingBytes, 75);
    assertDelivered(pushAll(r, next.chunks), next);
    assert.equal(r.stats.droppedIncomplete, 1);
    assert.equal(r.pendingBytes, 0);
    // Its missing chunk turning up afterwards neither revives it nor counts it again.
    assert.equal(r.push(chunk(lossy, 2), 0), null);
    const later = frame(3);
    assertDelivered(pushAll(r, later.chunks), later);
    assert.deepEqual(
      [r.stats.droppedIncomplete, r.stats.droppedLate, r.stats.completed],
      [1, 0, 2],
    );
  });

  it('counts frames of which nothing came as never arrived, once, but not across a change of stream', () => {
    const r = new Reassembler();
    for (const n of [1, 2, 5]) assertDelivered(pushAll(r, frame(n).chunks), frame(n));
    assert.equal(r.stats.neverArrived, 2);
    // A straggler of a counted frame makes it late instead, not a second loss.
    assert.equal(r.push(chunk(frame(3), 0), 0), null);
    assert.equal(r.push(chunk(frame(3), 1), 0), null);
    assert.deepEqual([r.stats.neverArrived, r.stats.droppedLate], [1, 1]);
    // One pending frame in the gap is dropped incomplete, not counted twice.
    pushAll(r, frame(7).chunks.slice(0, 2));
    assertDelivered(pushAll(r, frame(8).chunks), frame(8));
    assert.deepEqual([r.stats.neverArrived, r.stats.droppedIncomplete], [2, 1]);
    // The sender switched this member to another layer and back: those gaps are not losses.
    const other = frame(40, { stream: 1 });
    assertDelivered(pushAll(r, other.chunks), other);
    assertDelivered(pushAll(r, frame(30).chunks), frame(30));
    assert.equal(r.stats.neverArrived, 2);
  });

  it('drops a frame that lost a chunk once it goes stale', () => {
    const r = new Reassembler({ staleAfterMs: 500 });
    const lossy = frame(1);
    pushAll(r, lossy.chunks.slice(0, 3), 1000);
    const next = frame(2);
    // Exactly staleAfterMs later it is still waiting...
    assert.equal(r.push(chunk(next, 0), 1500), null);
    assert.equal(r.stats.droppedIncomplete, 0);
    // ...one millisecond more and it is gone, before the chunk that revealed it is handled.
    assert.equal(r.push(chunk(next, 1), 1501), null);
    assert.equal(r.stats.droppedIncomplete, 1);
    assert.equal(r.pendingBytes, 50);
    assert.equal(r.push(chunk(lossy, 3), 1502), null);
    assert.equal(r.stats.droppedIncomplete, 1);
    assertDelivered(pushAll(r, next.chunks.slice(2), 1502), next);
    assert.equal(r.pendingBytes, 0);
  });

  it('drops a whole late frame, counted once, and never buffers it', () => {
    const r = new Reassembler();
    const old = frame(4);
    const newer = frame(5);
    assertDelivered(pushAll(r, newer.chunks), newer);
    for (const c of old.chunks) {
      assert.equal(r.push(c, 0), null);
      assert.equal(r.pendingBytes, 0);
    }
    assert.equal(r.stats.droppedLate, 1);
    // A second copy of the frame just shown is a duplicate, not a late frame.
    assert.equal(r.push(chunk(newer, 0), 0), null);
    assert.deepEqual([r.stats.droppedLate, r.stats.duplicates, r.stats.completed], [1, 1, 1]);
  });

  it('never returns an older frame that completes after a newer one', () => {
    const r = new Reassembler();
    const a = frame(10);
    const b = frame(11);
    pushAll(r, a.chunks.slice(0, 3));
    assertDelivered(pushAll(r, b.chunks), b);
    assert.equal(r.push(chunk(a, 3), 0), null);
    assert.deepEqual(
      [r.stats.completed, r.stats.droppedIncomplete, r.stats.droppedLate],
      [1, 1, 0],
    );
  });

  it('ignores duplicate chunks while a frame is pending', () => {
    const r = new Reassembler();
    const f = frame(1);
    const got = pushAll(r, [
      chunk(f, 2),
      chunk(f, 2),
      chunk(f, 0),
      chunk(f, 2),
      chunk(f, 1),
      chunk(f, 3),
    ]);
    assertDelivered(got, f);
    assert.equal(r.stats.duplicates, 2);
  });

  it('keeps the first-seen shape of a frame and drops chunks that disagree', () => {
    const r = new Reassembler();
    const f = frame(1);
    assert.equal(r.push(chunk(f, 0), 0), null);
    assert.equal(r.push(reshaped(f, 100, 5), 0), null);
    assert.equal(r.push(reshaped(f, 90, 4), 0), null);
    assert.equal(r.stats.inconsistent, 2);
    assert.equal(r.pendingBytes, 25);
    // A frame whose first chunk seen is the odd one keeps that shape: the genuine ones are refused.
    const g = frame(2, { stream: 1 });
    assert.equal(r.push(reshaped(g, 60, 2), 0), null);
    assert.deepEqual(pushAll(r, g.chunks), []);
    assert.equal(r.stats.inconsistent, 2 + g.chunks.length);
    assertDelivered(pushAll(r, f.chunks.slice(1)), f);
  });

  it('counts malformed messages and frames above maxFrameBytes without holding anything', () => {
    const r = new Reassembler({ maxFrameBytes: 1000 });
    const big = frame(1, { size: 1001, maxMessageBytes: 600 });
    const messages = [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3]),
      new Uint8Array(20),
      ...big.chunks,
    ];
    assert.deepEqual(pushAll(r, messages), []);
    assert.equal(r.stats.malformed, messages.length);
    assert.equal(r.stats.chunks, messages.length);
    assert.equal(r.pendingBytes, 0);
    const fits = frame(2, { size: 1000, maxMessageBytes: 600 });
    assertDelivered(pushAll(r, fits.chunks), fits);
  });

  it('holds only the bytes that arrived under a flood of first chunks of huge frames', () => {
    const options: Required<ReassemblerOptions> = {
      maxPendingFrames: 4,
      staleAfterMs: 500,
      maxFrameBytes: MAX_FRAME_BYTES,
    };
    const r = new Reassembler(options);
    // Each first chunk announces the largest frame there is (4 MiB in 1024 chunks of 4 KiB):
    // storage must follow what arrived, not what a stranger claims will follow.
    const body = MAX_FRAME_BYTES / MAX_CHUNKS;
    const bound = options.maxPendingFrames * body;
    let peak = 0;
    const [template] = splitIntoChunks(
      new Uint8Array(MAX_FRAME_BYTES),
      { stream: 0, frameNumber: 0 },
      CHUNK_HEADER_BYTES + body,
    );
    assert.ok(template);
    assert.equal(template.length, CHUNK_HEADER_BYTES + body);
    for (let n = 1; n <= 2000; n++) {
      const first = template.slice();
      const header = new DataView(first.buffer);
      header.setUint8(1, n % 3);
      header.setUint32(2, n);
      r.push(first, n * 0.01);
      peak = Math.max(peak, r.pendingBytes);
      assert.ok(r.pendingBytes <= bound, `${r.pendingBytes} bytes held > ${bound}`);
    }
    assert.equal(peak, bound);
    assert.equal(r.stats.droppedIncomplete, 2000 - options.maxPendingFrames);
  });

  it('evicts the frame whose first chunk came earliest', () => {
    const r = new Reassembler({ maxPendingFrames: 2 });
    const a = frame(1, { stream: 0 });
    const b = frame(1, { stream: 1 });
    const c = frame(1, { stream: 2 });
    r.push(chunk(a, 0), 0);
    r.push(chunk(b, 0), 1);
    r.push(chunk(c, 0), 2);
    assert.equal(r.stats.droppedIncomplete, 1);
    assert.deepEqual(pushAll(r, a.chunks.slice(1), 3), []);
    assertDelivered(pushAll(r, b.chunks.slice(1), 3), b);
    assertDelivered(pushAll(r, c.chunks.slice(1), 3), c);
  });

  it('keeps streams apart', () => {
    const r = new Reassembler();
    const camera = frame(100, { stream: 0 });
    const screen = frame(3, { stream: 1 });
    pushAll(r, screen.chunks.slice(0, 2));
    assertDelivered(pushAll(r, camera.chunks), camera);
    assertDelivered(pushAll(r, screen.chunks.slice(2)), screen);
    const sameNumber = frame(3, { stream: 0 });
    assert.deepEqual(pushAll(r, sameNumber.chunks), []);
    assert.equal(r.stats.droppedLate, 1);
  });

  it('accepts a sender that restarts at 0 after a silence, and only then', () => {
    const r = new Reassembler();
    const t0 = 1_000_000;
    const before = frame(5000);
    assertDelivered(pushAll(r, before.chunks, t0), before);
    const restarted = frame(0);
    assert.deepEqual(pushAll(r, restarted.chunks, t0 + 1000), []);
    assert.equal(r.stats.droppedLate, 1);
    const again = frame(1);
    assertDelivered(pushAll(r, again.chunks, t0 + RESTART_AFTER_SILENCE_MS + 1), again);
    assert.equal(r.pendingBytes, 0);
  });

  it('lets a restarted sender that never pauses through after the silence period', () => {
    const r = new Reassembler();
    const first = frame(9000);
    assertDelivered(pushAll(r, first.chunks, 0), first);
    // The sender restarts at once and sends 30 frames a second; its chunks keep coming.
    let delivered: ReassembledFrame[] = [];
    let n = 0;
    for (let t = 10; delivered.length === 0 && t < 20_000; t += 33) {
      delivered = pushAll(r, frame(n++).chunks, t);
      if (delivered.length > 0) assert.ok(t > RESTART_AFTER_SILENCE_MS, `accepted at ${t}`);
    }
    assert.equal(delivered.length, 1);
    assert.ok(r.stats.droppedLate > 100);
  });

  it('orders frame numbers across the u32 wrap', () => {
    const r = new Reassembler();
    const last = frame(2 ** 32 - 2);
    assertDelivered(pushAll(r, last.chunks), last);
    const wrapped = frame(1);
    assertDelivered(pushAll(r, wrapped.chunks), wrapped);
    assert.deepEqual(pushAll(r, frame(2 ** 32 - 1).chunks), []);
    assert.equal(r.stats.droppedLate, 1);
  });

  it('takes a number more than 2^31 behind the newest as a restart', () => {
    const r = new Reassembler();
    const longCall = frame(3_000_000_000);
    assertDelivered(pushAll(r, longCall.chunks), longCall);
    const halfway = frame(3_000_000_000 - 2 ** 31);
    assert.deepEqual(pushAll(r, halfway.chunks), []);
    const restarted = frame(0);
    assertDelivered(pushAll(r, restarted.chunks), restarted);
  });

  it('throws on misuse by its caller', () => {
    assert.throws(() => new Reassembler({ maxPendingFrames: 0 }), RangeError);
    assert.throws(() => new Reassembler({ staleAfterMs: Number.NaN }), RangeError);
    assert.throws(() => new Reassembler({ maxFrameBytes: MAX_FRAME_BYTES + 1 }), RangeError);
    assert.throws(() => new Reassembler({ maxFrameBytes: 0.5 }), RangeError);
    const r = new Reassembler();
    assert.throws(() => r.push(new Uint8Array(1), Number.NaN), TypeError);
    assert.throws(() => r.push('chunk' as unknown as Uint8Array, 0), TypeError);
  });
});
