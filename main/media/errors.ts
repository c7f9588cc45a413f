import { CodedError } from '../../p2p/base/errors.js';

/** Stable error codes for capture, filters and encoding: front ends match on these, never on text. */
export type MediaErrorCode =
  | 'ERR_BAD_SOURCE'
  | 'ERR_CAMERA_UNAVAILABLE'
  | 'ERR_FILE_UNAVAILABLE'
  | 'ERR_UNKNOWN_FILTER'
  | 'ERR_BAD_SETTINGS'
  | 'ERR_CAPTURE_FAILED'
  | 'ERR_BAD_IMAGE';

export class MediaError extends CodedError<MediaErrorCode> {
  override readonly name = 'MediaError';
}

export function isMediaError(value: unknown): value is MediaError {
  return value instanceof MediaError;
}

/**
 * Text of anything a native OpenCV call threw: the binding throws plain strings as often
 * as Error objects, and its messages carry a long "in file ..." tail nobody needs to read.
 */
export function nativeErrorText(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.replace(/ in file .*$/s, '').trim();
}
