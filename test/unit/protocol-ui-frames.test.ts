/** The one video-frame codec shared by the node and the page (protocol/ui-frames.ts). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeUiFrame, encodeUiFrame, uiFrameProblem } from '../../protocol/ui-frames.js';
import type { UiVideoFrame } from '../../protocol/ui-protocol.js';
import { FRAME_HEADER_BYTES } from '../../protocol/ui-protocol.js';

const PEER = '00112233445566778899aabbccddeeff';
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

const frameArb: fc.Arbitrary<UiVideoFrame> = fc.record({
  kind: fc.constantFrom('remote' as const, 'local' as const),
  peer: fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .map((bytes) => Buffer.from(bytes).toString('hex')),
  frame: fc.nat({ max: 0xffffffff }),
  width: fc.integer({ min: 1, max: 0xffff }),
  height: fc.integer({ min: 1, max: 0xffff }),
  jpeg: fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.from([0xff, 0xd8, ...tail])),
});

function good(): Uint8Array {
  return encodeUiFrame({ kind: 'remote', peer: PEER, frame: 1, width: 2, height: 2, jpeg: JPEG });
}

describe('protocol: ui video frames', () => {
  it('round-trips any frame the page can show, also from a view into a larger buffer', () => {
    fc.assert(
      fc.property(frameArb, fc.nat({ max: 16 }), (frame, offset) => {
        const bytes = encodeUiFrame(frame);
        assert.equal(bytes.byteLength, FRAME_HEADER_BYTES + frame.jpeg.byteLength);
        const backing = new Uint8Array(offset + bytes.byteLength + 3);
        backing.set(bytes, offset);
        const decoded = decodeUiFrame(backing.subarray(offset, offset + bytes.byteLength));
        assert.ok(decoded);
        assert.deepEqual(
          { ...decoded, jpeg: Buffer.from(decoded.jpeg) },
          { ...frame, jpeg: Buffer.from(frame.jpeg) },
        );
      }),
    );
  });

  it('lays the header out big-endian, kind first', () => {
    const bytes = encodeUiFrame({
      kind: 'local',
      peer: PEER,
      frame: 0x01020304,
      width: 640,
      height: 480,
      jpeg: JPEG,
    });
    assert.deepEqual(
      [...bytes.subarray(0, FRAME_HEADER_BYTES)],
      [2, ...Buffer.from(PEER, 'hex'), 1, 2, 3, 4, 0x02, 0x80, 0x01, 0xe0],
    );
  });

  it('refuses bad lengths, kinds, sizes and payloads with null, never an exception', () => {
    const bytes = good();
    const withByte = (index: number, value: number): Uint8Array => {
      const copy = bytes.slice();
      copy[index] = value;
      return copy;
    };
    const refused: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['header only', bytes.subarray(0, FRAME_HEADER_BYTES)],
      ['header and one byte', bytes.subarray(0, FRAME_HEADER_BYTES + 1)],
      ['kind 0', withByte(0, 0)],
      ['kind 3', withByte(0, 3)],
      ['kind 255', withByte(0, 255)],
      ['zero width', withByte(22, 0).fill(0, 21, 23)],
      ['zero height', withByte(24, 0).fill(0, 23, 25)],
      ['not a JPEG', withByte(FRAME_HEADER_BYTES, 0x89)],
    ];
    for (const [what, variant] of refused) assert.equal(decodeUiFrame(variant), null, what);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: FRAME_HEADER_BYTES + 1 }), (short) => {
        assert.equal(decodeUiFrame(short), null);
      }),
    );
  });

  it('refuses to encode what does not fit the layout, saying why', () => {
    const base: UiVideoFrame = {
      kind: 'remote',
      peer: PEER,
      frame: 1,
      width: 2,
      height: 2,
      jpeg: JPEG,
    };
    assert.equal(uiFrameProblem(base), null);
    const bad: [UiVideoFrame, RegExp][] = [
      [{ ...base, peer: 'not-hex' }, /peer id/],
      [{ ...base, peer: PEER.toUpperCase() }, /peer id/],
      [{ ...base, peer: PEER.slice(2) }, /peer id/],
      [{ ...base, frame: 2 ** 32 }, /out of range/],
      [{ ...base, frame: -1 }, /out of range/],
      [{ ...base, width: 65536 }, /out of range/],
      [{ ...base, height: 1.5 }, /out of range/],
      [{ ...base, height: Number.NaN }, /out of range/],
    ];
    for (const [frame, says] of bad) {
      assert.match(uiFrameProblem(frame) ?? '', says);
      assert.throws(
        () => encodeUiFrame(frame),
        (err: unknown) => err instanceof RangeError && says.test(err.message),
      );
    }
  });
});
