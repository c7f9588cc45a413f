/**
 * Small waiting primitives for integration tests.
 *
 * Prefer waiting for an event (a line on stdout, a process exit, a message) with `withTimeout`.
 * `waitUntil` polls a condition and is meant only for states that announce themselves with no
 * event (a namespace or link becoming visible, a file appearing).
 */

/** Thrown by `waitUntil` and `withTimeout` when the deadline passes. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Resolves once `condition` returns true; rejects with a TimeoutError carrying `message` (and the
 * last error the condition threw, if any) when `timeoutMs` elapses first. The condition is
 * checked immediately, then every `intervalMs` (default 25 ms). A condition that throws counts
 * as "not yet".
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; message: string },
): Promise<void> {
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (error: unknown) {
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const cause = lastError === undefined ? '' : ` (last error: ${describeError(lastError)})`;
      throw new TimeoutError(
        `${options.message}: condition not met within ${options.timeoutMs} ms${cause}`,
      );
    }
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}

/**
 * Settles like `promise`, or rejects with a TimeoutError carrying `message` after `ms`.
 * The timer is cleared as soon as the promise settles, so it never keeps the process alive.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new TimeoutError(`${message} (timed out after ${ms} ms)`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
