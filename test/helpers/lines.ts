/**
 * Line-oriented reading of a child's output, with waits driven by the lines themselves.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { TimeoutError } from './wait.js';

interface LineWaiter {
  readonly predicate: (line: string) => boolean;
  readonly resolve: (line: string) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Records every line of a stream and lets tests wait for one that matches. */
export class LineCollector {
  readonly lines: string[] = [];
  private ended = false;
  private readonly waiters = new Set<LineWaiter>();

  constructor(
    stream: Readable,
    readonly label: string,
  ) {
    const reader = createInterface({ input: stream, crlfDelay: Infinity });
    reader.on('line', (line) => {
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(line)) this.settle(waiter, () => waiter.resolve(line));
      }
    });
    reader.on('close', () => {
      this.ended = true;
      for (const waiter of [...this.waiters]) {
        this.settle(waiter, () => waiter.reject(new Error(this.failure('the stream ended'))));
      }
    });
  }

  private settle(waiter: LineWaiter, action: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    action();
  }

  private failure(reason: string): string {
    const tail = this.lines.slice(-20).map((line) => `    ${line}`);
    return `${this.label}: ${reason}; last lines:\n${tail.join('\n') || '    (none)'}`;
  }

  /** The first line (already received or still to come) that matches. */
  waitFor(predicate: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const existing = this.lines.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    if (this.ended) {
      return Promise.reject(new Error(this.failure(`the stream ended before ${what}`)));
    }
    return new Promise<string>((resolve, reject) => {
      const waiter: LineWaiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.settle(waiter, () =>
            reject(new TimeoutError(this.failure(`no ${what} within ${timeoutMs} ms`))),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }
}

/** Resolves with the exit status once `child` has exited (immediately if it already has). */
export function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`; resolves once it exited. */
export async function stopChild(child: ChildProcess, graceMs = 2_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitOf(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), graceMs);
  });
  const first = await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  if (first === 'grace-over') {
    child.kill('SIGKILL');
    await exited;
  }
}
