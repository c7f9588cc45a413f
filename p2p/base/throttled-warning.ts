import type { LogFields, Logger } from './logger.js';

/**
 * A warning that may be earned thousands of times a second (a peer flooding us): logged at
 * most once per interval, with how many times it happened since the last line, so a flood
 * never becomes a flood of log lines.
 */
export class ThrottledWarning {
  readonly #logger: Logger;
  readonly #message: string;
  readonly #everyMs: number;
  #unlogged = 0;
  #loggedAt = -Infinity;

  constructor(logger: Logger, message: string, everyMs = 1000) {
    this.#logger = logger;
    this.#message = message;
    this.#everyMs = everyMs;
  }

  /** Counts one occurrence; logs `fields` and the count when the interval has passed. */
  note(fields: LogFields, now = Date.now()): void {
    this.#unlogged++;
    if (now - this.#loggedAt < this.#everyMs) return;
    this.#logger.warn(this.#message, { ...fields, times: this.#unlogged });
    this.#loggedAt = now;
    this.#unlogged = 0;
  }
}
