import fc from 'fast-check';
import { MeshError } from '../../../p2p/base/errors.js';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from '../../../p2p/signaling/framing.js';
import { target, violation } from '../harness.js';
import { havocBytes } from '../havoc.js';
import { mutatedBytes } from '../mutate.js';

/** A stream of valid frames, damaged, cut into TCP-like pieces, for a strict or a small limit. */
const stream = fc
  .array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 })
  .map((payloads) => {
    const frames = payloads.map((payload) => encodeFrame(payload));
    const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of frames) {
      out.set(frame, at);
      at += frame.length;
    }
    return out;
  });

export const framingTarget = target({
  name: 'framing',
  parser: 'p2p/signaling/framing.ts FrameDecoder.push',
  arbitrary: fc.record({
    bytes: mutatedBytes(stream, 600),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
    maxBytes: fc.constantFrom(MAX_FRAME_BYTES, 256, 16),
  }),
  havoc: (input, rng) => ({
    ...input,
    bytes: havocBytes(input.bytes, rng),
    cuts: rng.chance(0.3) ? [rng.next(), rng.next()] : input.cuts,
  }),
  check({ bytes, cuts, maxBytes }) {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const decoder = new FrameDecoder(maxBytes);
    let start = 0;
    let framed = 0;
    for (const end of [...points, bytes.length]) {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(bytes.subarray(start, end));
      } catch (error) {
        // The documented rejection; the connection is closed after it.
        if (error instanceof MeshError && error.code === 'ERR_FRAME_TOO_LARGE') {
          return 'rejected:too-large';
        }
        throw error;
      }
      for (const frame of frames) {
        if (!(frame instanceof Uint8Array) || frame.length > maxBytes) {
          violation(`frame of ${frame.length} bytes past the limit ${maxBytes}`);
        }
        framed += 4 + frame.length;
      }
      start = end;
      if (decoder.bufferedBytes >= 4 + maxBytes)
        violation(`buffers ${decoder.bufferedBytes} bytes`);
    }
    // Every byte is either in a frame returned or still buffered: none lost, none invented.
    if (framed + decoder.bufferedBytes !== bytes.length) {
      violation(`${bytes.length} bytes in, ${framed} framed + ${decoder.bufferedBytes} buffered`);
    }
    return decoder.hasPartialFrame ? 'ok:partial' : 'ok';
  },
});
