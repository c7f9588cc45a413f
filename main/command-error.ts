import type { ApiErrorCode } from '../protocol/error-codes.js';
import { API_ERROR_CODES } from '../protocol/error-codes.js';
import { CodedError, isCodedError } from '../protocol/errors.js';

/** A command the session cannot carry out as asked; becomes an `error` event with this code. */
export class CommandError extends CodedError<ApiErrorCode> {
  override readonly name = 'CommandError';
}

const API_CODES: ReadonlySet<string> = new Set(API_ERROR_CODES);

/**
 * A typed error of any layer whose code the API may carry (session, mesh and media codes),
 * so a failed command reports it as it is. Crypto and bridge codes are not API codes: such
 * an error is a bug or local damage, and the session reports it as ERR_INTERNAL instead.
 */
export function isApiError(value: unknown): value is CodedError<ApiErrorCode> {
  return isCodedError(value) && API_CODES.has(value.code);
}
