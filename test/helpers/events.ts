import type { EventMap, TypedEmitter } from '../../p2p/base/typed-emitter.js';
import { withTimeout } from './wait.js';

/**
 * The payload of the next `event` an in-process emitter sends, or a TimeoutError after `ms`.
 * Subscribe before doing what triggers the event: emitters call listeners synchronously.
 */
export function nextEvent<E extends EventMap<E>, K extends keyof E & string>(
  emitter: TypedEmitter<E>,
  event: K,
  ms: number,
): Promise<E[K]> {
  const next = new Promise<E[K]>((resolve) => {
    emitter.once(event, (...args: E[K]) => resolve(args));
  });
  return withTimeout(next, ms, `no '${event}' event`);
}

/** Collects every payload of `event` from now on, for asserting on counts and order. */
export function record<E extends EventMap<E>, K extends keyof E & string>(
  emitter: TypedEmitter<E>,
  event: K,
): E[K][] {
  const seen: E[K][] = [];
  emitter.on(event, (...args: E[K]) => seen.push(args));
  return seen;
}

/** Plain function properties, not methods: they use no `this` and may be destructured. */
export interface EventHelpers<E extends EventMap<E>> {
  next: <K extends keyof E & string>(
    emitter: TypedEmitter<E>,
    event: K,
    ms: number,
  ) => Promise<E[K]>;
  record: <K extends keyof E & string>(emitter: TypedEmitter<E>, event: K) => E[K][];
}

/**
 * The helpers above bound to one event map. TypeScript infers an emitter's event names from a
 * subclass but not their payloads (they sit behind generic methods), so tests name the map once:
 * `const linkEvents = eventsOf<PeerLinkEvents>()`.
 */
export function eventsOf<E extends EventMap<E>>(): EventHelpers<E> {
  return { next: nextEvent, record };
}
