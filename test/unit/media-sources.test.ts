import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaError } from '../../main/media/errors.js';
import { coverTo } from '../../main/media/mat-ops.js';
import cv from '../../main/media/opencv.js';
import { openSource } from '../../main/media/sources.js';
import { Pixels, maxDifference } from '../fixtures/media-images.js';
import { writePatternVideo } from '../fixtures/pattern-video.js';

const isMediaError = (code: string) => (err: unknown) =>
  err instanceof MediaError && err.code === code;
const request = (frameNumber: number, width = 320, height = 240) => ({
  frameNumber,
  captureTs: Date.now(),
  width,
  height,
});

describe('media sources', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshcall-media-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pattern: frames of the requested size, changing with the frame number', () => {
    const source = openSource({ kind: 'pattern' }, { width: 320, height: 240 });
    const first = source.read(request(0));
    const small = source.read(request(1, 160, 120));
    assert.deepEqual([first.cols, first.rows, small.cols, small.rows], [320, 240, 160, 120]);
    assert.ok(maxDifference(first, source.read(request(9))) > 0);
    source.close();
  });

  it('camera: a camera that cannot be opened is ERR_CAMERA_UNAVAILABLE with a readable reason', function () {
    if (existsSync('/dev/video0')) this.skip();
    assert.throws(
      () => openSource({ kind: 'camera', index: 0 }, { width: 320, height: 240 }),
      (err: unknown) =>
        isMediaError('ERR_CAMERA_UNAVAILABLE')(err) &&
        /camera 0 is unavailable/.test((err as Error).message),
    );
  });

  it('file: plays a video, fitted to the requested size, and loops at the end', () => {
    const file = path.join(dir, 'twelve.avi');
    writePatternVideo(file, 12, 160, 120);
    const source = openSource({ kind: 'file', path: file }, { width: 320, height: 240 });
    const frames = Array.from({ length: 30 }, (_, index) => source.read(request(index)));
    source.close();
    for (const frame of frames) assert.deepEqual([frame.cols, frame.rows], [320, 240]);
    const at = (index: number) => frames[index] ?? assert.fail(`no frame ${index}`);
    assert.ok(maxDifference(at(0), at(1)) > 0, 'the video does not move');
    assert.equal(maxDifference(at(0), at(12)), 0, 'frame 12 is not the first frame again');
    assert.equal(maxDifference(at(5), at(29)), 0);
  });

  it('file: a missing file is ERR_FILE_UNAVAILABLE naming the path', () => {
    const missing = path.join(dir, 'missing.avi');
    assert.throws(
      () => openSource({ kind: 'file', path: missing }, { width: 320, height: 240 }),
      (err: unknown) =>
        isMediaError('ERR_FILE_UNAVAILABLE')(err) && (err as Error).message.includes(missing),
    );
  });

  it('file: a file that is not a video is ERR_FILE_UNAVAILABLE', () => {
    const text = path.join(dir, 'notes.avi');
    writeFileSync(text, 'this is not a video\n'.repeat(100));
    assert.throws(
      () => openSource({ kind: 'file', path: text }, { width: 320, height: 240 }),
      isMediaError('ERR_FILE_UNAVAILABLE'),
    );
  });

  it('fits a wider picture by cropping its sides, not by squashing it', () => {
    // 16:9 with red strips at both ends; in 4:3 the strips fall outside the crop.
    const wide = new cv.Mat(180, 320, cv.CV_8UC3, [0, 200, 0]);
    wide.drawRectangle(
      new cv.Point2(0, 0),
      new cv.Point2(29, 179),
      new cv.Vec3(0, 0, 255),
      cv.FILLED,
    );
    wide.drawRectangle(
      new cv.Point2(290, 0),
      new cv.Point2(319, 179),
      new cv.Vec3(0, 0, 255),
      cv.FILLED,
    );
    const fitted = coverTo(wide, 160, 120);
    assert.deepEqual([fitted.cols, fitted.rows], [160, 120]);
    const [, , red] = new Pixels(fitted).means();
    assert.ok(red < 5, `red strips still visible (mean red ${red})`);
  });
});
