import { CodedError } from '../../protocol/errors.js';

/** Stable error codes (listed in protocol/, where the API schema names them). */
import type { MeshErrorCode } from '../../protocol/error-codes.js';
export type { MeshErrorCode };

export class MeshError extends CodedError<MeshErrorCode> {
  override readonly name = 'MeshError';
}

/** Text of any thrown value, for logs; never includes key material because no caller puts any in errors. */
export function errorText(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
