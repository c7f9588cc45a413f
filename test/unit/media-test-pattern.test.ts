import assert from 'node:assert/strict';
import { MediaError } from '../../main/media/errors.js';
import cv from '../../main/media/opencv.js';
import { renderTestPattern } from '../../main/media/test-pattern.js';
import { maxDifference } from '../fixtures/media-images.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

describe('media test pattern', () => {
  it('renders 8-bit BGR frames of the size asked for', () => {
    for (const [width, height] of [
      [320, 240],
      [640, 480],
      [1280, 720],
      [162, 122],
    ] as const) {
      const frame = renderTestPattern(0, T0, width, height);
      assert.equal(frame.cols, width);
      assert.equal(frame.rows, height);
      assert.equal(frame.type, cv.CV_8UC3);
    }
  });

  it('moves: frames a few apart differ across the picture', () => {
    const first = renderTestPattern(0, T0, 640, 480);
    const later = renderTestPattern(10, T0, 640, 480);
    const below = { x: 0, y: 120, width: 640, height: 360 };
    assert.ok(
      maxDifference(first, later, below) > 100,
      'the picture below the caption did not move',
    );
  });

  it('is the same picture for the same frame number and time', () => {
    assert.equal(
      maxDifference(renderTestPattern(7, T0, 320, 240), renderTestPattern(7, T0, 320, 240)),
      0,
    );
  });

  it('draws the capture time into the caption only', () => {
    const a = renderTestPattern(7, T0, 640, 480);
    const b = renderTestPattern(7, T0 + 1234, 640, 480);
    assert.ok(maxDifference(a, b, { x: 0, y: 0, width: 640, height: 80 }) > 100, 'time not drawn');
    assert.equal(maxDifference(a, b, { x: 0, y: 80, width: 640, height: 400 }), 0);
  });

  it('hands out frames the caller may draw on without spoiling later ones', () => {
    const spoiled = renderTestPattern(3, T0, 320, 240);
    spoiled.drawRectangle(
      new cv.Point2(0, 0),
      new cv.Point2(319, 239),
      new cv.Vec3(0, 0, 0),
      cv.FILLED,
    );
    const again = renderTestPattern(3, T0, 320, 240);
    assert.ok(maxDifference(spoiled, again) > 100);
    assert.equal(maxDifference(again, renderTestPattern(3, T0, 320, 240)), 0);
  });

  it('refuses sizes it cannot draw', () => {
    assert.throws(
      () => renderTestPattern(0, T0, 8, 8),
      (err: unknown) => err instanceof MediaError && err.code === 'ERR_BAD_SETTINGS',
    );
  });
});
