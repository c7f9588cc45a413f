import type { UiVideoFrame } from '../../protocol/ui-protocol.js';

/** Key of our own preview in the hub; members are keyed by their peer id. */
export const SELF_KEY = 'self';

export function frameKey(frame: UiVideoFrame): string {
  return frame.kind === 'local' ? SELF_KEY : frame.peer;
}

type Listener = (frame: UiVideoFrame) => void;

/**
 * Routes video frames to the tiles that show them, outside the store: 30 frames a second
 * per member must not re-render the app. Keeps each key's newest frame so a tile that
 * appears later can draw at once.
 */
export class FrameHub {
  readonly #latest = new Map<string, UiVideoFrame>();
  readonly #listeners = new Map<string, Set<Listener>>();

  publish(frame: UiVideoFrame): void {
    const key = frameKey(frame);
    this.#latest.set(key, frame);
    const listeners = this.#listeners.get(key);
    if (!listeners) return;
    for (const listener of [...listeners]) listener(frame);
  }

  latest(key: string): UiVideoFrame | undefined {
    return this.#latest.get(key);
  }

  /** Forgets frames of keys not in `keep` (members who left). */
  retain(keep: ReadonlySet<string>): void {
    for (const key of [...this.#latest.keys()]) {
      if (key !== SELF_KEY && !keep.has(key)) this.#latest.delete(key);
    }
  }

  subscribe(key: string, listener: Listener): () => void {
    let listeners = this.#listeners.get(key);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(key, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(key);
    };
  }
}
