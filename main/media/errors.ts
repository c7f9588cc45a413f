import type { SourceFailureReason } from '../../protocol/camera-api.js';
import { CodedError } from '../../protocol/errors.js';

/** Stable error codes (listed in protocol/, where the API schema names them). */
import type { MediaErrorCode } from '../../protocol/error-codes.js';
export type { MediaErrorCode };

export class MediaError extends CodedError<MediaErrorCode> {
  override readonly name = 'MediaError';
}

/**
 * The video source gave no pictures: `reason` says why in terms a person can act on (the
 * message may hold the native library's words, which only the log shows).
 */
export class SourceError extends MediaError {
  readonly reason: SourceFailureReason;

  constructor(
    code: MediaErrorCode,
    reason: SourceFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.reason = reason;
  }
}

/** Why an error stopped the pictures, for one that says nothing itself. */
export function failureReasonOf(err: unknown): SourceFailureReason {
  return err instanceof SourceError ? err.reason : 'capture-failed';
}

/**
 * Text of anything a native OpenCV call threw: the binding throws plain strings as often
 * as Error objects, and its messages carry a long "in file ..." tail nobody needs to read.
 */
export function nativeErrorText(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.replace(/ in file .*$/s, '').trim();
}
