import type { ApiErrorCode } from '../protocol/api.js';

/** A command the session cannot carry out as asked; becomes an `error` event with this code. */
export class CommandError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
