import { errorText } from './errors.js';
import type { Logger } from './logger.js';

/**
 * An event map: each event name with its payload tuple. Written as a mapped constraint (not
 * `Record<string, unknown[]>`) so that interfaces qualify without an index signature, and
 * `keyof E` is exactly the declared names: `on('fraem', …)` does not compile.
 */
export type EventMap<E> = { [K in keyof E]: unknown[] };
type Listener<A extends unknown[]> = (...args: A) => void;

/** Stored untyped: the public methods pair each name with its payload type. */
type AnyListener = (...args: unknown[]) => void;

interface Registration {
  readonly listener: AnyListener;
  readonly once: boolean;
}

/**
 * How an emitter reports a listener that threw. A listener's bug is the listener's: the
 * emitting object (a link, a call) carries on, so one broken subscriber never tears down a
 * link or a call.
 */
export interface EmitterOptions {
  logger?: Logger | undefined;
  /** Names the emitter in the log line (`link`, `call`, …). */
  name?: string | undefined;
}

/**
 * An emitter whose `on('peer-up', …)` knows its payload and rejects names the map does not
 * declare. Emitting is protected so that only the owner of an object reports its events
 * (children report up). Listeners run in registration order; an exception in one is caught
 * and logged here, where it was emitted, and the remaining listeners still run.
 */
export class TypedEmitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Registration[]>();
  readonly #logger: Logger | undefined;
  readonly #name: string;

  constructor(options: EmitterOptions = {}) {
    this.#logger = options.logger;
    this.#name = options.name ?? this.constructor.name;
  }

  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, false);
  }

  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, true);
  }

  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const registrations = this.#listeners.get(event);
    if (!registrations) return this;
    const index = registrations.findIndex((r) => r.listener === (listener as AnyListener));
    if (index >= 0) registrations.splice(index, 1);
    return this;
  }

  /** How many listeners an event has (tests and leak checks). */
  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener of `event`; true if there was one. Never throws for a listener. */
  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const registrations = this.#listeners.get(event);
    if (!registrations || registrations.length === 0) return false;
    // A copy: listeners may subscribe or unsubscribe while we call them.
    for (const registration of [...registrations]) {
      if (registration.once) this.#remove(event, registration);
      try {
        registration.listener(...args);
      } catch (err) {
        this.#reportListenerError(event, err);
      }
    }
    return true;
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }

  #add<K extends keyof E & string>(event: K, listener: Listener<E[K]>, once: boolean): this {
    const registrations = this.#listeners.get(event) ?? [];
    registrations.push({ listener: listener as AnyListener, once });
    this.#listeners.set(event, registrations);
    return this;
  }

  #remove(event: keyof E, registration: Registration): void {
    const registrations = this.#listeners.get(event);
    const index = registrations?.indexOf(registration) ?? -1;
    if (index >= 0) registrations?.splice(index, 1);
  }

  #reportListenerError(event: string, err: unknown): void {
    const fields = { emitter: this.#name, event, reason: errorText(err) };
    if (this.#logger) {
      this.#logger.error('event listener failed', fields);
      return;
    }
    // No logger injected: still never silent (Node prints process warnings on stderr).
    process.emitWarning(`${fields.emitter} '${event}' listener failed: ${fields.reason}`);
  }
}
