import { MediaError, nativeErrorText } from './errors.js';
import { validateQuality } from './jpeg-quality.js';
import { assertBgr } from './mat-ops.js';
import type { Mat } from './opencv.js';
import cv from './opencv.js';

/**
 * Encodes on the libuv thread pool. The bytes own their ArrayBuffer outright, so the
 * capture worker can transfer it to the main thread without a copy.
 */
export async function encodeJpeg(mat: Mat, quality: number): Promise<Uint8Array> {
  const level = validateQuality(quality);
  assertBgr(mat);
  const buffer = await cv.imencodeAsync('.jpg', mat, [cv.IMWRITE_JPEG_QUALITY, level]);
  const ownsWholeBuffer = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
  return ownsWholeBuffer
    ? new Uint8Array(buffer.buffer, 0, buffer.byteLength)
    : new Uint8Array(buffer);
}

/** Decodes to an 8-bit BGR Mat; throws MediaError ERR_BAD_IMAGE for anything that is not a JPEG. */
export function decodeJpeg(bytes: Uint8Array): Mat {
  // OpenCV aborts the whole process (an uncaught C++ exception) on an empty buffer.
  const isJpeg = bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isJpeg) throw new MediaError('ERR_BAD_IMAGE', 'not a JPEG image (no FF D8 FF start marker)');
  let mat: Mat;
  try {
    mat = cv.imdecode(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      cv.IMREAD_COLOR,
    );
  } catch (err: unknown) {
    throw new MediaError('ERR_BAD_IMAGE', `JPEG could not be decoded: ${nativeErrorText(err)}`, {
      cause: err,
    });
  }
  if (mat.empty) throw new MediaError('ERR_BAD_IMAGE', 'JPEG could not be decoded');
  return mat;
}
