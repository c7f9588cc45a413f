/** Small whole-image operations shared by sources, filters and the encoder. */
import { MediaError } from './errors.js';
import type { Mat } from './opencv.js';
import cv from './opencv.js';

/** Averages `block`×`block` squares, then blows them back up as hard-edged tiles. */
export function pixelate(mat: Mat, block: number): Mat {
  const rows = Math.max(1, Math.round(mat.rows / block));
  const cols = Math.max(1, Math.round(mat.cols / block));
  return mat
    .resize(rows, cols, 0, 0, cv.INTER_AREA)
    .resize(mat.rows, mat.cols, 0, 0, cv.INTER_NEAREST);
}

/** Resizes to exactly `width`×`height`, area-averaging when shrinking so fine detail does not alias. */
export function resizeTo(mat: Mat, width: number, height: number): Mat {
  if (mat.cols === width && mat.rows === height) return mat;
  const shrinking = width * height < mat.cols * mat.rows;
  return mat.resize(height, width, 0, 0, shrinking ? cv.INTER_AREA : cv.INTER_LINEAR);
}

/**
 * Fills `width`×`height` with the picture, cropping the centre where the aspect ratios
 * differ: a 16:9 camera in a 4:3 call loses its sides instead of looking squashed.
 */
export function coverTo(mat: Mat, width: number, height: number): Mat {
  const scale = Math.max(width / mat.cols, height / mat.rows);
  const cropWidth = Math.min(mat.cols, Math.round(width / scale));
  const cropHeight = Math.min(mat.rows, Math.round(height / scale));
  const cropped =
    cropWidth === mat.cols && cropHeight === mat.rows
      ? mat
      : mat.getRegion(
          new cv.Rect(
            Math.floor((mat.cols - cropWidth) / 2),
            Math.floor((mat.rows - cropHeight) / 2),
            cropWidth,
            cropHeight,
          ),
        );
  return resizeTo(cropped, width, height);
}

/** Cameras and files may hand out gray or BGRA pictures; everything downstream wants BGR. */
export function toBgr(mat: Mat): Mat {
  switch (mat.channels) {
    case 3:
      return mat;
    case 1:
      return mat.cvtColor(cv.COLOR_GRAY2BGR);
    case 4:
      return mat.cvtColor(cv.COLOR_BGRA2BGR);
    default:
      throw new MediaError('ERR_BAD_IMAGE', `cannot use a picture with ${mat.channels} channels`);
  }
}

/** Throws unless `mat` is a non-empty 8-bit BGR picture, the one format filters accept. */
export function assertBgr(mat: Mat): void {
  if (mat.empty || mat.type !== cv.CV_8UC3) {
    throw new MediaError(
      'ERR_BAD_IMAGE',
      mat.empty
        ? 'the picture is empty'
        : `expected an 8-bit BGR picture (CV_8UC3), got type ${mat.type}`,
    );
  }
}

/** `scale` times the size, rounded to even numbers (a JPEG's chroma planes stay whole), at least 2. */
export function evenScaledSize(
  width: number,
  height: number,
  scale: number,
): { width: number; height: number } {
  const even = (value: number): number => Math.max(2, 2 * Math.round((value * scale) / 2));
  return { width: even(width), height: even(height) };
}
