/**
 * Encoded video towards the page (issue #11): UI frame kinds 5 and 6, the bridge's chain
 * gate (a client that skipped an H.264 frame gets nothing more of that stream until a
 * keyframe), and the feed (self view = top H.264 layer; a waiting sink makes it ask for a
 * keyframe, at most every 250 ms per stream).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChainGate } from '../../main/bridge/chain-gate.js';
import { BridgeError } from '../../main/bridge/errors.js';
import { encodeUiEncoded } from '../../main/bridge/frame-codec.js';
import type { UiSession } from '../../main/bridge/ui-feed.js';
import { feedSession, previewLayer } from '../../main/bridge/ui-feed.js';
import type { EncodedFrame, EncodedLayerFrame } from '../../main/media/capture-protocol.js';
import type { SessionEvents } from '../../main/session.js';
import { silentLogger } from '../../p2p/base/logger.js';
import { TypedEmitter } from '../../p2p/base/typed-emitter.js';
import type { Command } from '../../protocol/api.js';
import {
  decodeUiEncoded,
  decodeUiFrame,
  decodeUiVideo,
  encodeUiFrame,
} from '../../protocol/ui-frames.js';
import type { UiEncodedFrame } from '../../protocol/ui-protocol.js';
import { ENCODED_HEADER_BYTES } from '../../protocol/ui-protocol.js';

const PEER = '00112233445566778899aabbccddeeff';
const IDR = Uint8Array.from([0, 0, 0, 1, 0x67, 0x42, 0, 0x1f, 0, 0, 0, 1, 0x65, 0x88]);
const DELTA = Uint8Array.from([0, 0, 1, 0x41, 0x9a, 0x02]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 0xff, 0xd9]);

const encodedArb: fc.Arbitrary<UiEncodedFrame> = fc
  .record({
    kind: fc.constantFrom('remote' as const, 'local' as const),
    peer: fc
      .uint8Array({ minLength: 16, maxLength: 16 })
      .map((bytes) => Buffer.from(bytes).toString('hex')),
    frame: fc.nat({ max: 0xffffffff }),
    width: fc.integer({ min: 1, max: 0xffff }),
    height: fc.integer({ min: 1, max: 0xffff }),
    codec: fc.constantFrom('h264' as const, 'jpeg' as const),
    keyframe: fc.boolean(),
    tail: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ tail, ...frame }) => {
    const head = frame.codec === 'jpeg' ? [0xff, 0xd8] : [0, 0, 1, 0x41];
    const keyframe = frame.codec === 'jpeg' || frame.keyframe;
    return { ...frame, keyframe, data: Uint8Array.from([...head, ...tail]) };
  });

const base: UiEncodedFrame = {
  kind: 'remote',
  peer: PEER,
  frame: 7,
  width: 640,
  height: 480,
  codec: 'h264',
  keyframe: true,
  data: IDR,
};

describe('ui frames: encoded video (kinds 5 and 6)', () => {
  it('round-trips any H.264 or JPEG frame, also from a view into a larger buffer', () => {
    fc.assert(
      fc.property(encodedArb, fc.nat({ max: 16 }), (frame, offset) => {
        const bytes = encodeUiEncoded(frame);
        assert.equal(bytes.byteLength, ENCODED_HEADER_BYTES + frame.data.byteLength);
        const backing = new Uint8Array(offset + bytes.byteLength + 3);
        backing.set(bytes, offset);
        const view = backing.subarray(offset, offset + bytes.byteLength);
        const decoded = decodeUiEncoded(view);
        assert.ok(decoded);
        const plain = (f: UiEncodedFrame): object => ({ ...f, data: Buffer.from(f.data) });
        assert.deepEqual(plain(decoded), plain(frame));
        assert.deepEqual(decodeUiVideo(view), decoded);
        assert.equal(decodeUiFrame(view), null, 'not a kind 1/2 frame');
      }),
    );
  });

  it('lays the header out big-endian: kind, peer, number, size, codec, flags', () => {
    const bytes = encodeUiEncoded({ ...base, kind: 'local', frame: 0x01020304, keyframe: false });
    assert.deepEqual(
      [...bytes.subarray(0, ENCODED_HEADER_BYTES)],
      [6, ...Buffer.from(PEER, 'hex'), 1, 2, 3, 4, 0x02, 0x80, 0x01, 0xe0, 1, 0],
    );
    assert.equal(encodeUiEncoded(base)[0], 5);
    assert.equal(encodeUiEncoded(base)[ENCODED_HEADER_BYTES - 1], 1, 'keyframe flag');
  });

  it('still reads kinds 1 and 2 through decodeUiVideo', () => {
    const jpegFrame = { kind: 'local' as const, peer: PEER, frame: 3, width: 4, height: 3 };
    const decoded = decodeUiVideo(encodeUiFrame({ ...jpegFrame, jpeg: JPEG }));
    assert.ok(decoded && 'jpeg' in decoded);
    assert.deepEqual({ ...decoded, jpeg: [...decoded.jpeg] }, { ...jpegFrame, jpeg: [...JPEG] });
  });

  it('refuses what the page could not decode with null, never an exception', () => {
    const bytes = encodeUiEncoded(base);
    const withByte = (index: number, value: number): Uint8Array => {
      const copy = bytes.slice();
      copy[index] = value;
      return copy;
    };
    const jpeg = encodeUiEncoded({ ...base, codec: 'jpeg', data: JPEG });
    const refused: [string, Uint8Array][] = [
      ['header only', bytes.subarray(0, ENCODED_HEADER_BYTES)],
      ['kind 4', withByte(0, 4)],
      ['kind 7', withByte(0, 7)],
      ['zero width', withByte(22, 0).fill(0, 21, 23)],
      ['codec 2', withByte(25, 2)],
      ['unknown flag bit', withByte(26, 0x03)],
      ['H.264 without a start code', withByte(ENCODED_HEADER_BYTES + 3, 7)],
      ['H.264 tagged as JPEG', withByte(25, 0)],
      ['a JPEG that is not a keyframe', Uint8Array.from(jpeg).fill(0, 26, 27)],
    ];
    for (const [what, variant] of refused) assert.equal(decodeUiEncoded(variant), null, what);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (random) => {
        decodeUiVideo(random);
      }),
    );
  });

  it('refuses to encode a frame that does not fit, as ERR_BRIDGE_FRAME', () => {
    const bad: [UiEncodedFrame, RegExp][] = [
      [{ ...base, data: JPEG }, /Annex B/],
      [{ ...base, codec: 'jpeg', keyframe: false, data: JPEG }, /always a keyframe/],
      [{ ...base, codec: 'jpeg', data: IDR }, /not a JPEG/],
      [{ ...base, peer: 'x' }, /peer id/],
      [{ ...base, width: 70000 }, /out of range/],
    ];
    for (const [frame, says] of bad) {
      assert.throws(
        () => encodeUiEncoded(frame),
        (err: unknown) =>
          err instanceof BridgeError && err.code === 'ERR_BRIDGE_FRAME' && says.test(err.message),
      );
    }
  });
});

describe('ui bridge: chain gate', () => {
  it('starts each stream at a keyframe and holds deltas after a skip until the next one', () => {
    const gate = new ChainGate();
    assert.equal(gate.admits('remote:a', true), false, 'joined mid-chain');
    assert.equal(gate.admits('remote:a', false), true, 'keyframe');
    assert.equal(gate.admits('remote:a', true), true);
    gate.skipped('remote:a');
    assert.equal(gate.admits('remote:a', true), false, 'the chain broke');
    assert.equal(gate.admits('local', false), true, 'other streams go on');
    assert.equal(gate.admits('local', true), true);
    assert.equal(gate.admits('remote:a', true), false);
    assert.equal(gate.admits('remote:a', false), true, 'the next keyframe heals it');
    assert.equal(gate.admits('remote:a', true), true);
  });
});

class FakeSession extends TypedEmitter<SessionEvents> {
  readonly id = PEER;
  readonly commands: Command[] = [];
  handle(command: Command): void {
    this.commands.push(command);
  }
  capture(frame: EncodedFrame): void {
    this.emit('local-frame', frame);
  }
}

function layer(layerNumber: number, codec: 'h264' | 'jpeg', keyframe: boolean): EncodedLayerFrame {
  const data = codec === 'jpeg' ? JPEG : keyframe ? IDR : DELTA;
  const width = 640 >> layerNumber;
  return { layer: layerNumber, codec, keyframe, width, height: (width * 3) / 4, data };
}

function cameraFrame(frameNumber: number, keyframe: boolean): EncodedFrame {
  return {
    frameNumber,
    captureTs: Date.now(),
    layers: [layer(1, 'h264', keyframe), layer(0, 'h264', keyframe), layer(3, 'jpeg', true)],
    filterMs: 1,
    encodeMs: 2,
  };
}

describe('ui feed: encoded frames', () => {
  it('shows the top H.264 layer as the self view; the JPEG only without H.264', () => {
    assert.equal(previewLayer(cameraFrame(0, true).layers)?.layer, 0);
    assert.equal(previewLayer([layer(2, 'jpeg', true)])?.codec, 'jpeg');
    assert.equal(previewLayer([]), null);
  });

  it('sends kind 6 frames and asks for a keyframe while a sink waits for one', () => {
    const session = new FakeSession();
    const sent: { stream: string; frame: UiEncodedFrame; delta: boolean }[] = [];
    let waiting = false;
    const stop = feedSession(
      session as unknown as UiSession,
      {
        message: () => {},
        voice: () => {},
        frame: (stream, bytes, delta) => {
          const frame = decodeUiEncoded(bytes);
          assert.ok(frame, 'a kind 5/6 frame');
          sent.push({ stream, frame, delta });
          return !waiting;
        },
      },
      silentLogger,
    );
    session.capture(cameraFrame(0, true));
    session.capture(cameraFrame(1, false));
    assert.deepEqual(
      sent.map(({ stream, frame, delta }) => [stream, frame.kind, frame.frame, frame.width, delta]),
      [
        ['local', 'local', 0, 640, false],
        ['local', 'local', 1, 640, true],
      ],
    );
    assert.deepEqual(session.commands, []);
    waiting = true;
    session.capture(cameraFrame(2, false));
    session.capture(cameraFrame(3, false));
    assert.deepEqual(session.commands, [{ cmd: 'keyframe', peer: PEER }], 'once per 250 ms');
    stop();
    session.capture(cameraFrame(4, true));
    assert.equal(sent.length, 4, 'nothing after stop');
  });
});
