import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaError } from '../../main/media/errors.js';
import { decodeJpeg } from '../../main/media/jpeg.js';
import type {
  EncodedFrame,
  EncodedLayerFrame,
  StartedInfo,
  VideoCaptureOptions,
} from '../../main/media/video-capture.js';
import { VideoCapture } from '../../main/media/video-capture.js';
import { Pixels } from '../fixtures/media-images.js';
import { writePatternVideo } from '../fixtures/pattern-video.js';
import { withTimeout } from '../helpers/wait.js';

const PATTERN_320 = {
  source: { kind: 'pattern' },
  settings: { width: 320, height: 240, fps: 30 },
} as const;
const isMediaError = (code: string) => (err: unknown) =>
  err instanceof MediaError && err.code === code;

/** Everything a capture emitted, with a way to wait for what is still to come. */
class Recorder {
  readonly frames: (EncodedFrame & { receivedAt: number })[] = [];
  readonly errors: MediaError[] = [];
  readonly started: StartedInfo[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(capture: VideoCapture) {
    capture.on('frame', (frame) =>
      this.#record(() => this.frames.push({ ...frame, receivedAt: Date.now() })),
    );
    capture.on('error', (error) => this.#record(() => this.errors.push(error)));
    capture.on('started', (info) => this.#record(() => this.started.push(info)));
  }

  /** Resolves as soon as `condition` holds after some event (or already does). */
  until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    let waiter = (): void => undefined;
    const reached = new Promise<void>((resolve) => {
      waiter = () => {
        if (condition()) resolve();
      };
      this.#waiters.add(waiter);
    });
    return withTimeout(reached, timeoutMs, `waiting for ${what}`).finally(() =>
      this.#waiters.delete(waiter),
    );
  }

  framesAtLeast(count: number, timeoutMs?: number): Promise<void> {
    return this.until(
      () => this.frames.length >= count,
      `${count} frames (have ${this.frames.length})`,
      timeoutMs,
    );
  }

  get frameNumbers(): number[] {
    return this.frames.map((frame) => frame.frameNumber);
  }

  #record(push: () => void): void {
    push();
    for (const waiter of this.#waiters) waiter();
  }
}

function assertConsecutive(numbers: number[]): void {
  numbers.forEach((value, index) => {
    if (index > 0)
      assert.equal(value, (numbers[index - 1] ?? NaN) + 1, `frame numbers ${numbers.join(',')}`);
  });
}

/** `--codec jpeg` frames carry exactly one layer, layer 0, a JPEG. */
function jpegLayer(frame: EncodedFrame): EncodedLayerFrame {
  const [layer, ...rest] = frame.layers;
  assert.ok(layer && rest.length === 0, `${frame.layers.length} layers`);
  assert.deepEqual([layer.layer, layer.codec, layer.keyframe], [0, 'jpeg', true]);
  return layer;
}

function isRedDominant(frame: EncodedFrame): boolean {
  const [b, g, r] = new Pixels(decodeJpeg(jpegLayer(frame).data)).means();
  return r > 2 * g && r > 2 * b;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('media VideoCapture', function () {
  this.timeout(60_000);
  const open: VideoCapture[] = [];

  function capture(options: VideoCaptureOptions): { capture: VideoCapture; log: Recorder } {
    // These are the JPEG path's tests (--codec jpeg); the H.264 layers have media-h264.test.ts.
    const created = new VideoCapture({ codec: 'jpeg', ...options });
    open.push(created);
    return { capture: created, log: new Recorder(created) };
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((created) => created.close()));
  });

  it('streams paced, numbered JPEG frames of the test pattern', async () => {
    const { capture: c, log } = capture(PATTERN_320);
    const before = Date.now();
    c.start();
    await log.framesAtLeast(10);
    assert.deepEqual(log.started[0], { source: 'pattern', width: 320, height: 240, fps: 30 });
    assertConsecutive(log.frameNumbers);
    assert.equal(log.frameNumbers[0], 0);
    for (const frame of log.frames) {
      assert.deepEqual([jpegLayer(frame).width, jpegLayer(frame).height], [320, 240]);
      const picture = decodeJpeg(jpegLayer(frame).data);
      assert.deepEqual([picture.cols, picture.rows], [320, 240]);
      assert.ok(
        frame.captureTs >= before - 5 && frame.captureTs <= frame.receivedAt + 5,
        `captureTs ${frame.captureTs}`,
      );
      assert.ok(
        frame.receivedAt - frame.captureTs < 500,
        `${frame.receivedAt - frame.captureTs} ms from capture to main thread`,
      );
      assert.ok(frame.filterMs >= 0 && frame.encodeMs > 0);
    }
    const first = log.frames[0]?.captureTs ?? NaN;
    const tenth = log.frames[9]?.captureTs ?? NaN;
    // Nine intervals at 30 fps is 300 ms: not a burst, not a crawl.
    assert.ok(tenth - first > 240 && tenth - first < 700, `10 frames spanned ${tenth - first} ms`);
    assert.equal(log.errors.length, 0);
  });

  it('switches filters from the next frame, without a gap in the numbering', async () => {
    const { capture: c, log } = capture(PATTERN_320);
    c.start();
    await log.framesAtLeast(5);
    const switchedAt = log.frames.length;
    c.setFilters(['reds']);
    assert.deepEqual(c.filters, ['reds']);
    await log.framesAtLeast(switchedAt + 5);
    assertConsecutive(log.frameNumbers);
    assert.ok(
      log.frames.slice(0, switchedAt).every((frame) => !isRedDominant(frame)),
      'red before the switch',
    );
    // At most the frame in flight and the one being encoded still show the old chain.
    assert.ok(log.frames.slice(switchedAt + 2).every(isRedDominant), 'not red after the switch');
  });

  it('never has more than one frame in flight: a stalled main thread gets no burst', async () => {
    const { capture: c, log } = capture(PATTERN_320);
    c.start();
    await log.framesAtLeast(3);
    const before = log.frames.length;
    // Block this thread on purpose, as a long synchronous task in the app would.
    const stallEnd = performance.now() + 400;
    while (performance.now() < stallEnd);
    const resumedAt = Date.now();
    await log.framesAtLeast(before + 4);
    const burst = log.frames.slice(before).filter((frame) => frame.receivedAt - resumedAt < 15);
    assert.ok(burst.length <= 2, `${burst.length} frames arrived at once after the stall`);
    assertConsecutive(log.frameNumbers);
  });

  it('refuses bad changes synchronously and keeps what it had', () => {
    const { capture: c } = capture(PATTERN_320);
    c.setFilters(['mirror']);
    assert.throws(() => c.setFilters(['mirror', 'sparkles']), isMediaError('ERR_UNKNOWN_FILTER'));
    assert.deepEqual(c.filters, ['mirror']);
    assert.throws(() => c.setQuality(5), isMediaError('ERR_BAD_SETTINGS'));
    assert.throws(() => c.setScale(0.1), isMediaError('ERR_BAD_SETTINGS'));
    assert.throws(
      () => c.setSettings({ width: 320, height: 240, fps: 0 }),
      isMediaError('ERR_BAD_SETTINGS'),
    );
    assert.deepEqual(c.settings, PATTERN_320.settings);
    assert.throws(
      () => new VideoCapture({ ...PATTERN_320, filters: ['nope'] }),
      isMediaError('ERR_UNKNOWN_FILTER'),
    );
  });

  it('reports an unavailable camera, idles, and recovers on setSource with numbering intact', async function () {
    if (existsSync('/dev/video0')) this.skip();
    const { capture: c, log } = capture(PATTERN_320);
    c.start();
    await log.framesAtLeast(3);
    c.setSource({ kind: 'camera', index: 0 });
    await log.until(() => log.errors.length > 0, 'the camera error');
    const [error] = log.errors;
    assert.ok(error instanceof MediaError);
    assert.equal(error.code, 'ERR_CAMERA_UNAVAILABLE');
    assert.match(error.message, /camera 0/);
    const beforeRecovery = log.frames.length;
    c.setSource({ kind: 'pattern' });
    await log.framesAtLeast(beforeRecovery + 3);
    assert.equal(log.started.at(-1)?.source, 'pattern');
    assertConsecutive(log.frameNumbers);
  });

  it('starting on a missing camera emits the error and no frames', async function () {
    if (existsSync('/dev/video0')) this.skip();
    const { capture: c, log } = capture({ ...PATTERN_320, source: { kind: 'camera', index: 0 } });
    c.start();
    await log.until(() => log.errors.length > 0, 'the camera error');
    assert.equal(log.errors[0]?.code, 'ERR_CAMERA_UNAVAILABLE');
    c.setSource({ kind: 'pattern' });
    await log.framesAtLeast(2);
    assert.deepEqual(log.frameNumbers.slice(0, 2), [0, 1]);
  });

  describe('file sources', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'meshcall-capture-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('plays a video file and loops it', async () => {
      const file = path.join(dir, 'loop.avi');
      writePatternVideo(file, 12, 320, 240);
      const { capture: c, log } = capture({ ...PATTERN_320, source: { kind: 'file', path: file } });
      c.start();
      await log.framesAtLeast(30);
      assert.equal(log.started[0]?.source, `file:${file}`);
      const jpegAt = (index: number) =>
        Buffer.from(jpegLayer(log.frames[index] ?? assert.fail(`no frame ${index}`)).data);
      assert.ok(!jpegAt(0).equals(jpegAt(1)), 'the video does not move');
      for (let index = 0; index + 12 < 30; index++) {
        assert.ok(
          jpegAt(index).equals(jpegAt(index + 12)),
          `frame ${index + 12} is not frame ${index} again`,
        );
      }
    });

    it('reports a missing file as ERR_FILE_UNAVAILABLE', async () => {
      const missing = path.join(dir, 'missing.avi');
      const { capture: c, log } = capture({
        ...PATTERN_320,
        source: { kind: 'file', path: missing },
      });
      c.start();
      await log.until(() => log.errors.length > 0, 'the file error');
      assert.equal(log.errors[0]?.code, 'ERR_FILE_UNAVAILABLE');
      assert.ok(log.errors[0]?.message.includes(missing));
      assert.equal(log.frames.length, 0);
    });
  });

  it('setScale(0.5) halves the encoded size', async () => {
    const { capture: c, log } = capture(PATTERN_320);
    c.start();
    await log.framesAtLeast(2);
    c.setScale(0.5);
    await log.until(() => log.frames.at(-1)?.layers[0]?.width === 160, 'a half-size frame');
    const count = log.frames.length;
    await log.framesAtLeast(count + 2);
    for (const frame of log.frames.slice(count - 1)) {
      assert.deepEqual([jpegLayer(frame).width, jpegLayer(frame).height], [160, 120]);
      const picture = decodeJpeg(jpegLayer(frame).data);
      assert.deepEqual([picture.cols, picture.rows], [160, 120]);
    }
  });

  it('applies new settings on the fly and announces them', async () => {
    const { capture: c, log } = capture(PATTERN_320);
    c.start();
    await log.framesAtLeast(2);
    c.setSettings({ width: 640, height: 480, fps: 15 });
    await log.until(() => log.started.some((info) => info.width === 640), 'the new settings');
    assert.deepEqual(log.started.at(-1), { source: 'pattern', width: 640, height: 480, fps: 15 });
    await log.until(
      () => log.frames.filter((frame) => jpegLayer(frame).width === 640).length >= 3,
      '640-wide frames',
    );
    assertConsecutive(log.frameNumbers);
  });

  it('setEnabled(false) stops the frames and setEnabled(true) resumes them', async () => {
    const { capture: c, log } = capture(PATTERN_320);
    c.start();
    await log.framesAtLeast(3);
    c.setEnabled(false);
    const atDisable = log.frames.length;
    // Nothing announces the absence of frames, so watch for a while: 15 frame intervals.
    await new Promise<void>((resolve) => setTimeout(resolve, 500));
    assert.ok(
      log.frames.length <= atDisable + 2,
      `${log.frames.length - atDisable} frames after video off`,
    );
    const whileOff = log.frames.length;
    c.setEnabled(true);
    await log.framesAtLeast(whileOff + 3);
    assertConsecutive(log.frameNumbers);
    assert.equal(c.enabled, true);
  });

  it('close() is idempotent, ends the capture process and stops the frames', async () => {
    const { capture: c, log } = capture(PATTERN_320);
    c.start();
    await log.framesAtLeast(2);
    const pid = c.pid ?? assert.fail('no capture process');
    assert.ok(isRunning(pid));
    const first = c.close();
    assert.equal(c.close(), first);
    await first;
    await c.close();
    assert.equal(isRunning(pid), false, 'the capture process is still there');
    assert.equal(c.pid, null);
    assert.throws(() => c.start(), isMediaError('ERR_CAPTURE_FAILED'));
    await new VideoCapture(PATTERN_320).close();
  });

  it('runs several captures side by side and one after another', async () => {
    const first = capture(PATTERN_320);
    const second = capture({ ...PATTERN_320, filters: ['invert'] });
    first.capture.start();
    second.capture.start();
    await Promise.all([first.log.framesAtLeast(3), second.log.framesAtLeast(3)]);
    await first.capture.close();
    const third = capture(PATTERN_320);
    third.capture.start();
    await third.log.framesAtLeast(3);
    assert.deepEqual(third.log.frameNumbers.slice(0, 3), [0, 1, 2]);
  });

  it('keeps the main event loop responsive while capturing 1280x720 through heavy filters', async () => {
    const { capture: c, log } = capture({
      source: { kind: 'pattern' },
      settings: { width: 1280, height: 720, fps: 30 },
      filters: ['anonymize', 'cartoon', 'blur', 'pixelate'],
    });
    c.start();
    await log.framesAtLeast(3);
    const framesBefore = log.frames.length;
    const period = 10;
    const lateness: number[] = [];
    await new Promise<void>((resolve) => {
      let expected = performance.now() + period;
      const timer = setInterval(() => {
        const now = performance.now();
        lateness.push(now - expected);
        expected = now + period;
        if (lateness.length >= 200) {
          clearInterval(timer);
          resolve();
        }
      }, period);
    });
    const frames = log.frames.length - framesBefore;
    const worst = Math.max(...lateness);
    assert.ok(frames >= 20, `only ${frames} frames in ~2 s: the capture was not really running`);
    assert.ok(worst < 50, `the main loop was up to ${worst.toFixed(1)} ms late`);
    assert.equal(log.errors.length, 0);
  });
});
