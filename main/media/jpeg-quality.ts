/** JPEG quality limits, apart from the encoder so the main thread can check them without OpenCV. */
import { MediaError } from './errors.js';

export const MIN_QUALITY = 10;
export const MAX_QUALITY = 95;
export const DEFAULT_QUALITY = 75;

/** Returns `quality` rounded when it is within MIN_QUALITY..MAX_QUALITY; throws ERR_BAD_SETTINGS otherwise. */
export function validateQuality(quality: number): number {
  const rounded = Math.round(quality);
  if (!Number.isFinite(quality) || rounded < MIN_QUALITY || rounded > MAX_QUALITY) {
    throw new MediaError(
      'ERR_BAD_SETTINGS',
      `bad JPEG quality ${quality}: expected ${MIN_QUALITY} to ${MAX_QUALITY}`,
    );
  }
  return rounded;
}
