import fc from 'fast-check';
import {
  CHUNK_HEADER_BYTES,
  MAX_CHUNKS,
  MAX_FRAME_BYTES,
  chunkBodyLength,
  parseChunk,
  splitIntoChunks,
  type ChunkFailure,
} from '../../../p2p/media/chunks.js';
import {
  decodeFramePayload,
  encodeFramePayload,
  type FramePayloadFailure,
} from '../../../p2p/media/frame.js';
import { Reassembler } from '../../../p2p/media/reassembler.js';
import { target, violation } from '../harness.js';
import { havocBytes } from '../havoc.js';
import { mutatedBytes } from '../mutate.js';

const CHUNK_FAILURES: ReadonlySet<string> = new Set<ChunkFailure>([
  'truncated',
  'bad-version',
  'bad-index',
  'bad-count',
  'bad-size',
]);

const frameSpec = fc.record({
  size: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 401, max: 5000 })),
  stream: fc.nat(3),
  frameNumber: fc.oneof(fc.nat(20), fc.constant(0xffffffff), fc.nat()),
  messageBytes: fc.constantFrom(CHUNK_HEADER_BYTES + 1, 40, 200, 1200, 16 * 1024),
});

function chunksOf(spec: {
  size: number;
  stream: number;
  frameNumber: number;
  messageBytes: number;
}) {
  const sealed = Uint8Array.from(
    { length: spec.size },
    (_, i) => (i * 31 + spec.frameNumber) & 0xff,
  );
  // The smallest message size cannot fit a big frame in MAX_CHUNKS: use the next size up.
  const fits = Math.ceil(spec.size / (spec.messageBytes - CHUNK_HEADER_BYTES)) <= MAX_CHUNKS;
  return splitIntoChunks(sealed, spec, fits ? spec.messageBytes : 1200);
}

const oneChunk = frameSpec.chain((spec) => fc.constantFrom(...chunksOf(spec)));

export const chunksTarget = target({
  name: 'chunks',
  parser: 'p2p/media/chunks.ts parseChunk',
  arbitrary: mutatedBytes(oneChunk),
  havoc: havocBytes,
  check(message) {
    const r = parseChunk(message);
    if (!r.ok) {
      if (!CHUNK_FAILURES.has(r.reason)) violation(`untyped rejection ${String(r.reason)}`);
      return `rejected:${r.reason}`;
    }
    if (r.chunkCount < 1 || r.chunkCount > MAX_CHUNKS || r.chunkIndex >= r.chunkCount) {
      violation(`chunk ${r.chunkIndex} of ${r.chunkCount} accepted`);
    }
    if (r.totalBytes < 1 || r.totalBytes > MAX_FRAME_BYTES)
      violation(`total ${r.totalBytes} accepted`);
    if (
      r.body.length !== chunkBodyLength(r.totalBytes, r.chunkCount, r.chunkIndex) ||
      r.body.length < 1
    ) {
      violation('body length disagrees with the shape');
    }
    return 'ok';
  },
});

/** The chunks of a few frames, reordered, dropped, repeated, some damaged, at some pace. */
const chunkSequence = fc.array(frameSpec, { minLength: 1, maxLength: 3 }).chain((specs) => {
  const messages = specs.flatMap(chunksOf);
  const pick = fc.constantFrom(...messages);
  return fc.record({
    messages: fc.array(
      fc.oneof({ arbitrary: pick, weight: 8 }, { arbitrary: mutatedBytes(pick), weight: 2 }),
      { maxLength: Math.min(messages.length * 2, 64) },
    ),
    stepMs: fc.constantFrom(0, 1, 100, 600, 6000),
    maxPendingFrames: fc.constantFrom(1, 4),
  });
});

export const reassemblerTarget = target({
  name: 'reassembler',
  parser: 'p2p/media/reassembler.ts Reassembler.push',
  arbitrary: chunkSequence,
  havoc: (input, rng) => {
    const messages = [...input.messages];
    const at = rng.int(messages.length);
    const message = messages[at];
    if (message === undefined) return input;
    switch (rng.int(4)) {
      case 0:
        messages[at] = havocBytes(message, rng);
        break;
      case 1:
        messages.splice(rng.int(messages.length + 1), 0, message);
        break;
      case 2:
        messages.splice(at, 1);
        break;
      default:
        messages[at] = messages[rng.int(messages.length)] ?? message;
        messages[rng.int(messages.length)] = message;
    }
    return { ...input, messages };
  },
  check({ messages, stepMs, maxPendingFrames }) {
    const r = new Reassembler({ maxPendingFrames });
    let pushed = 0;
    let completed = 0;
    messages.forEach((message, i) => {
      const frame = r.push(message, i * stepMs);
      pushed += message.length;
      if (frame !== null) {
        completed++;
        if (
          !(frame.sealed instanceof Uint8Array) ||
          frame.sealed.length < 1 ||
          frame.sealed.length > MAX_FRAME_BYTES
        ) {
          violation('returned a frame of an impossible size');
        }
      }
      // Storage follows what arrived, and never passes the documented bound.
      if (
        r.pendingBytes > pushed ||
        r.pendingBytes > maxPendingFrames * MAX_FRAME_BYTES ||
        r.pendingBytes < 0
      ) {
        violation(`holds ${r.pendingBytes} bytes after ${pushed} bytes pushed`);
      }
    });
    const stats = r.stats;
    if (stats.chunks !== messages.length || stats.completed !== completed) {
      violation(
        `stats ${JSON.stringify(stats)} after ${messages.length} messages, ${completed} frames`,
      );
    }
    return completed > 0 ? 'ok' : 'none-complete';
  },
});

const PAYLOAD_FAILURES: ReadonlySet<string> = new Set<FramePayloadFailure>([
  'truncated',
  'bad-version',
  'bad-field',
  'not-jpeg',
  'not-annex-b',
]);

const payload = fc
  .record({
    stream: fc.nat(255),
    frameNumber: fc.nat(),
    captureTs: fc.oneof(fc.double({ min: 0, max: 1e15, noNaN: true }), fc.constant(0)),
    width: fc.integer({ min: 1, max: 0xffff }),
    height: fc.integer({ min: 1, max: 0xffff }),
    body: fc.uint8Array({ maxLength: 64 }),
    h264: fc.boolean(),
    keyframe: fc.boolean(),
  })
  .map(({ body, h264, keyframe, ...meta }) =>
    h264
      ? encodeFramePayload(
          { ...meta, codec: 'h264', keyframe },
          Uint8Array.of(0, 0, 1, 0x41, ...body),
        )
      : encodeFramePayload(
          { ...meta, codec: 'jpeg', keyframe: true },
          Uint8Array.of(0xff, 0xd8, ...body, 0xff, 0xd9),
        ),
  );

export const framePayloadTarget = target({
  name: 'frame-payload',
  parser: 'p2p/media/frame.ts decodeFramePayload',
  arbitrary: mutatedBytes(payload),
  havoc: havocBytes,
  check(bytes) {
    const r = decodeFramePayload(bytes);
    if (!r.ok) {
      if (!PAYLOAD_FAILURES.has(r.reason)) violation(`untyped rejection ${String(r.reason)}`);
      return `rejected:${r.reason}`;
    }
    const { meta, data } = r;
    if (
      !Number.isFinite(meta.captureTs) ||
      meta.captureTs < 0 ||
      meta.width < 1 ||
      meta.height < 1
    ) {
      violation(`accepted meta ${JSON.stringify(meta)}`);
    }
    const jpeg = data.length >= 4 && data[0] === 0xff && data[1] === 0xd8;
    if (meta.codec === 'jpeg' && (!jpeg || !meta.keyframe)) violation('accepted a bad JPEG');
    if (meta.codec === 'h264' && (data[0] !== 0 || data[1] !== 0))
      violation('accepted non-Annex B');
    return 'ok';
  },
});
