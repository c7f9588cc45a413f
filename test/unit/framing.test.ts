import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from '../../p2p/signaling/framing.js';
import { MeshError } from '../../p2p/base/errors.js';

describe('framing', () => {
  it('encodes a u32 big-endian length before the payload', () => {
    const frame = encodeFrame(new Uint8Array([7, 8, 9]));
    assert.deepEqual([...frame], [0, 0, 0, 3, 7, 8, 9]);
  });

  it('reassembles frames split at every possible point', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
          const decoder = new FrameDecoder();
          const out: Uint8Array[] = [];
          let offset = 0;
          let i = 0;
          while (offset < stream.length) {
            const size = cuts[i++ % cuts.length] ?? 1;
            out.push(...decoder.push(stream.subarray(offset, offset + size)));
            offset += size;
          }
          assert.equal(out.length, payloads.length);
          out.forEach((frame, index) => assert.deepEqual(frame, payloads[index]));
          assert.equal(decoder.hasPartialFrame, false);
        },
      ),
    );
  });

  it('rejects an oversized length as soon as the header arrives', () => {
    const decoder = new FrameDecoder();
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, MAX_FRAME_BYTES + 1);
    assert.throws(
      () => decoder.push(header),
      (err: unknown) => err instanceof MeshError && err.code === 'ERR_FRAME_TOO_LARGE',
    );
  });

  it('refuses to encode an oversized payload', () => {
    assert.throws(() => encodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1)), /exceeds/);
  });

  it('never holds more than one frame and a header of random garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (garbage) => {
        const decoder = new FrameDecoder(1024);
        try {
          decoder.push(garbage);
        } catch (err) {
          assert.ok(err instanceof MeshError);
          return;
        }
        assert.ok(decoder.bufferedBytes <= 1024 + 4);
      }),
    );
  });
});
