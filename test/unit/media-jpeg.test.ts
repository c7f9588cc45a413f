import assert from 'node:assert/strict';
import { MediaError } from '../../main/media/errors.js';
import { decodeJpeg, encodeJpeg } from '../../main/media/jpeg.js';
import cv from '../../main/media/opencv.js';
import { renderTestPattern } from '../../main/media/test-pattern.js';

const isMediaError = (code: string) => (err: unknown) =>
  err instanceof MediaError && err.code === code;

describe('media JPEG', () => {
  const frame = renderTestPattern(5, Date.UTC(2024, 0, 1), 640, 480);

  it('round-trips at the same size and close to the original', async () => {
    const jpeg = await encodeJpeg(frame, 75);
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const decoded = decodeJpeg(jpeg);
    assert.equal(decoded.cols, 640);
    assert.equal(decoded.rows, 480);
    assert.equal(decoded.type, cv.CV_8UC3);
    const meanError = decoded.absdiff(frame).cvtColor(cv.COLOR_BGR2GRAY).mean().w;
    assert.ok(meanError < 6, `mean error ${meanError}`);
  });

  it('returns bytes that own their whole buffer, ready to transfer', async () => {
    const jpeg = await encodeJpeg(frame, 75);
    assert.equal(jpeg.byteOffset, 0);
    assert.equal(jpeg.buffer.byteLength, jpeg.byteLength);
  });

  it('makes smaller files at lower quality', async () => {
    const low = await encodeJpeg(frame, 20);
    const high = await encodeJpeg(frame, 90);
    assert.ok(high.length > 1.5 * low.length, `q20 ${low.length} B, q90 ${high.length} B`);
  });

  it('refuses qualities outside 10..95', async () => {
    await assert.rejects(encodeJpeg(frame, 5), isMediaError('ERR_BAD_SETTINGS'));
    await assert.rejects(encodeJpeg(frame, 100), isMediaError('ERR_BAD_SETTINGS'));
  });

  it('refuses to decode what is not a JPEG, including nothing at all', () => {
    for (const bytes of [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3, 4, 5, 6]),
      new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0]),
    ]) {
      assert.throws(
        () => decodeJpeg(bytes),
        isMediaError('ERR_BAD_IMAGE'),
        `accepted ${bytes.length} bytes`,
      );
    }
  });

  it('decodes a JPEG inside a larger buffer', async () => {
    const jpeg = await encodeJpeg(frame, 60);
    const padded = new Uint8Array(jpeg.length + 20);
    padded.set(jpeg, 10);
    assert.equal(decodeJpeg(padded.subarray(10, 10 + jpeg.length)).cols, 640);
  });
});
