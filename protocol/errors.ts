/**
 * The one base of every typed error in crypto/, p2p/ and main/. Callers branch on `code`
 * (stable, listed in the README under "Error codes"), never on message text, and one
 * `instanceof CodedError` answers "is this one of ours?" for every layer.
 *
 * Runtime-neutral on purpose: protocol/ is loaded by the node and by the page, so no Node
 * modules, no Buffer, and no V8-only helpers such as Error.captureStackTrace.
 */
export class CodedError<Code extends string = string> extends Error {
  /** Subclasses override this with their own class name; it shows in stack traces. */
  override readonly name: string = 'CodedError';
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for an error of any layer's typed family; its `code` is then a stable string. */
export function isCodedError(value: unknown): value is CodedError {
  return value instanceof CodedError;
}
