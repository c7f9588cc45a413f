import { CodedError } from '../../protocol/errors.js';

/** Stable error codes (listed in protocol/, where the API schema names them). */
import type { MediaErrorCode } from '../../protocol/error-codes.js';
export type { MediaErrorCode };

export class MediaError extends CodedError<MediaErrorCode> {
  override readonly name = 'MediaError';
}

/**
 * Text of anything a native OpenCV call threw: the binding throws plain strings as often
 * as Error objects, and its messages carry a long "in file ..." tail nobody needs to read.
 */
export function nativeErrorText(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.replace(/ in file .*$/s, '').trim();
}
