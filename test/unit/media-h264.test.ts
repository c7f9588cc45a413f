import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { EncodedFrame, EncodedLayerFrame } from '../../main/media/capture-protocol.js';
import { FrameEncoder } from '../../main/media/frame-encoder.js';
import type { EncodeConfig } from '../../main/media/frame-encoder.js';
import { H264Encoder } from '../../main/media/h264-encoder.js';
import { decodeJpeg } from '../../main/media/jpeg.js';
import { JPEG_FALLBACK_LAYER, planLayers } from '../../main/media/layer-plan.js';
import type { Mat } from '../../main/media/opencv.js';
import cv from '../../main/media/opencv.js';
import { SnapshotDecoder } from '../../main/media/snapshot-decoder.js';
import { renderTestPattern } from '../../main/media/test-pattern.js';
import { VideoCapture } from '../../main/media/video-capture.js';
import { UPLOAD_BUDGET_BPS, streamShare } from '../../main/local-media.js';
import { withTimeout } from '../helpers/wait.js';

/** The NAL unit types of an Annex B access unit, in order. */
function nalTypes(data: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      types.push((data[i + 3] ?? 0) & 0x1f);
      i += 3;
    }
  }
  return types;
}

function assertIdr(layer: EncodedLayerFrame | undefined, what: string): void {
  assert.ok(layer, `${what}: no layer`);
  assert.equal(layer.keyframe, true, `${what}: not a keyframe`);
  const types = nalTypes(layer.data);
  // SPS and PPS before the IDR slice: a decoder can start here with nothing before it.
  assert.deepEqual(types.slice(0, 2), [7, 8], `${what}: NAL types ${types.join(',')}`);
  assert.ok(types.includes(5), `${what}: no IDR slice in ${types.join(',')}`);
}

function assertDelta(layer: EncodedLayerFrame | undefined, what: string): void {
  assert.ok(layer, `${what}: no layer`);
  assert.equal(layer.keyframe, false, `${what}: a keyframe`);
  assert.ok(!nalTypes(layer.data).includes(5), `${what}: holds an IDR slice`);
}

/** PSNR in dB between two 8-bit pictures of the same size and type. */
function psnr(a: Mat, b: Mat): number {
  const mse = a.norm(b, cv.NORM_L2) ** 2 / (a.rows * a.cols * a.channels);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Uniform noise 0..39 per sample: content no encoder can make cheap, so the target decides. */
function noise(width: number, height: number): Mat {
  const bytes = randomBytes(width * height * 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] ?? 0) % 40;
  return new cv.Mat(bytes, height, width, cv.CV_8UC3);
}

const T0 = Date.UTC(2024, 0, 1);
const pattern = (n: number, w = 640, h = 480): Mat => renderTestPattern(n, T0 + n * 33.3, w, h);
const config = (change: Partial<EncodeConfig> = {}): EncodeConfig => ({
  codec: 'h264',
  bitrates: [],
  jpegFallback: false,
  streamCap: null,
  quality: 75,
  scale: 1,
  settings: { width: 640, height: 480, fps: 30 },
  ...change,
});

describe('media H.264 layers', function () {
  this.timeout(60_000);

  it('plans two layers for 640×480, three for 1280×720, fits bigger captures into 720p', () => {
    const sizes = (w: number, h: number) =>
      planLayers(w, h, 30).map((spec) => `${spec.width}x${spec.height}`);
    assert.deepEqual(sizes(640, 480), ['640x480', '320x240']);
    assert.deepEqual(sizes(1280, 720), ['1280x720', '640x360', '320x180']);
    assert.deepEqual(sizes(1920, 1080), ['1280x720', '640x360', '320x180']);
    assert.deepEqual(sizes(320, 240), ['320x240']);
    const rates = planLayers(1280, 720, 30).map((spec) => spec.bitrate / 1e6);
    assert.ok(Math.abs((rates[0] ?? 0) - 1.8) < 0.15, `720p at ${rates[0]} Mb/s`);
    assert.deepEqual(planLayers(640, 480, 30, [undefined, 123_000])[1]?.bitrate, 123_000);
  });

  it('the capture process sends H.264 layers of the right sizes, starting with keyframes', async () => {
    const capture = new VideoCapture({
      source: { kind: 'pattern' },
      settings: { width: 640, height: 480, fps: 30 },
    });
    const frames: EncodedFrame[] = [];
    let requestedAt = -1;
    const done = new Promise<void>((resolve, reject) => {
      capture.on('error', reject);
      capture.on('frame', (frame) => {
        frames.push(frame);
        // Asked before this frame's ack, so the very next frame is the one to carry it.
        if (frames.length === 5) {
          requestedAt = frames.length;
          capture.requestKeyframe(1);
        }
        if (frames.length === 8) resolve();
      });
    });
    try {
      capture.start();
      await withTimeout(done, 20_000, 'eight frames');
    } finally {
      await capture.close();
    }
    for (const frame of frames) {
      assert.deepEqual(
        frame.layers.map((l) => [l.layer, l.codec, l.width, l.height]),
        [
          [0, 'h264', 640, 480],
          [1, 'h264', 320, 240],
        ],
      );
      assert.ok(frame.encodeMs > 0);
    }
    assertIdr(frames[0]?.layers[0], 'frame 0 layer 0');
    assertIdr(frames[0]?.layers[1], 'frame 0 layer 1');
    for (let i = 1; i < frames.length; i++) {
      assertDelta(frames[i]?.layers[0], `frame ${i} layer 0`);
      if (i !== requestedAt) assertDelta(frames[i]?.layers[1], `frame ${i} layer 1`);
    }
    assertIdr(frames[requestedAt]?.layers[1], `frame ${requestedAt} layer 1 (asked for)`);
  });

  it('--codec jpeg sends one JPEG layer; jpegFallback adds a JPEG next to the H.264 layers', async () => {
    const encoder = new FrameEncoder();
    try {
      const jpeg = await encoder.encode(pattern(0), T0, config({ codec: 'jpeg' }));
      assert.deepEqual(
        jpeg.map((l) => [l.layer, l.codec, l.keyframe, l.width]),
        [[0, 'jpeg', true, 640]],
      );
      const both = await encoder.encode(pattern(1), T0 + 33, config({ jpegFallback: true }));
      assert.deepEqual(
        both.map((l) => [l.layer, l.codec, l.width]),
        [
          [0, 'h264', 640],
          [1, 'h264', 320],
          [JPEG_FALLBACK_LAYER, 'jpeg', 640],
        ],
      );
      assert.equal(decodeJpeg(both[2]?.data ?? new Uint8Array()).cols, 640);
    } finally {
      encoder.close();
    }
  });

  it('a bitrate change takes effect without a keyframe', () => {
    const encoder = new H264Encoder({ width: 640, height: 480, fps: 30, bitrate: 2_000_000 });
    const bytes = (from: number, count: number): number => {
      let total = 0;
      for (let n = from; n < from + count; n++) {
        const frame = pattern(n).add(noise(640, 480));
        const unit = encoder.encode(frame.cvtColor(cv.COLOR_BGR2YUV_I420).getData(), n, false);
        if (n > 0) assert.equal(unit.keyframe, false, `frame ${n} is a keyframe`);
        total += unit.data.length;
      }
      return total;
    };
    try {
      bytes(0, 15); // the first keyframe and rate control settling
      const high = bytes(15, 30);
      encoder.setBitrate(300_000);
      bytes(45, 15);
      const low = bytes(60, 30);
      const kbps = (total: number) => (total * 8) / 1000; // 30 frames = 1 s
      assert.ok(kbps(high) > 1200, `at 2 Mb/s: ${kbps(high)} kb/s`);
      assert.ok(kbps(low) < 500, `at 300 kb/s: ${kbps(low)} kb/s`);
    } finally {
      encoder.close();
    }
  });

  it('a stream cap (a group call sharing the upload) holds every layer under it', async () => {
    const kbps = async (cap: number | null): Promise<number> => {
      const encoder = new FrameEncoder();
      try {
        let bytes = 0;
        for (let n = 0; n < 60; n++) {
          const frame = pattern(n).add(noise(640, 480));
          const layers = await encoder.encode(frame, T0 + n * 33.3, config({ streamCap: cap }));
          if (n >= 30) bytes += layers[0]?.data.length ?? 0; // after rate control settled
        }
        return (bytes * 8) / 1000; // 30 frames = 1 s
      } finally {
        encoder.close();
      }
    };
    const free = await kbps(null);
    const capped = await kbps(streamShare(3) ?? 0);
    assert.ok(free > 600, `uncapped 640×480 layer: ${free} kb/s`);
    assert.ok(capped < 0.75 * free, `capped at ${streamShare(3)} b/s: ${capped} kb/s`);
    assert.equal(streamShare(1), null, 'a call of two keeps the full rate');
    assert.equal(streamShare(3), Math.round(UPLOAD_BUDGET_BPS / 3));
  });

  it('decodes what it encoded (PSNR > 30 dB) and answers an H.264 member’s snapshot as a JPEG', async () => {
    const encoder = new FrameEncoder();
    const snapshots = new SnapshotDecoder();
    let last: Mat | null = null;
    let frameNumber = 0;
    try {
      for (; frameNumber < 40; frameNumber++) {
        last = pattern(frameNumber);
        const captureTs = T0 + frameNumber * 33.3;
        const layers = await encoder.encode(last, captureTs, config());
        const top = layers[0];
        assert.ok(top);
        snapshots.push('member', { frameNumber, captureTs, ...top });
      }
      const shot = await snapshots.take('member');
      assert.ok(shot && last);
      assert.deepEqual([shot.frameNumber, shot.width, shot.height], [39, 640, 480]);
      const decoded = decodeJpeg(shot.jpeg);
      const db = psnr(decoded, last);
      assert.ok(db > 30, `PSNR ${db.toFixed(1)} dB`);
      assert.equal(await snapshots.take('nobody'), null);
    } finally {
      encoder.close();
    }
  });
});
