import type { UiEncodedFrame, UiVideo } from '../../protocol/ui-protocol.js';
import { isEncodedFrame } from '../../protocol/ui-frames.js';

/** Key of our own preview in the hub; members are keyed by their peer id. */
export const SELF_KEY = 'self';

export function frameKey(frame: UiVideo): string {
  return frame.kind === 'local' ? SELF_KEY : frame.peer;
}

type Listener = (frame: UiVideo) => void;

/** A chain longer than this (frames, or bytes) is forgotten until the next keyframe. */
export const MAX_CHAIN_FRAMES = 300;
export const MAX_CHAIN_BYTES = 4 * 1024 * 1024;

/**
 * The H.264 frames since the last keyframe, unbroken, so that a tile that appears later
 * can decode up to the newest picture; null when broken or too long (the tile then waits
 * for the next keyframe and asks for one).
 */
class Chain {
  frames: UiEncodedFrame[] | null = null;
  #bytes = 0;

  add(frame: UiEncodedFrame): void {
    if (frame.keyframe) {
      this.frames = [frame];
      this.#bytes = frame.data.byteLength;
      return;
    }
    const last = this.frames?.at(-1);
    this.#bytes += frame.data.byteLength;
    if (
      !this.frames ||
      last?.frame !== frame.frame - 1 ||
      this.frames.length >= MAX_CHAIN_FRAMES ||
      this.#bytes > MAX_CHAIN_BYTES
    ) {
      this.frames = null;
      return;
    }
    this.frames.push(frame);
  }
}

/**
 * Routes video frames to the tiles that show them, outside the store: 30 frames a second
 * per member must not re-render the app. Keeps what a tile that appears later needs to
 * draw at once: a JPEG stream's newest frame, an H.264 stream's chain since its keyframe.
 */
export class FrameHub {
  readonly #latest = new Map<string, UiVideo>();
  readonly #chains = new Map<string, Chain>();
  readonly #listeners = new Map<string, Set<Listener>>();

  publish(frame: UiVideo): void {
    const key = frameKey(frame);
    this.#latest.set(key, frame);
    if (isEncodedFrame(frame) && frame.codec === 'h264') {
      let chain = this.#chains.get(key);
      if (!chain) {
        chain = new Chain();
        this.#chains.set(key, chain);
      }
      chain.add(frame);
    } else {
      this.#chains.delete(key);
    }
    const listeners = this.#listeners.get(key);
    if (!listeners) return;
    for (const listener of [...listeners]) listener(frame);
  }

  latest(key: string): UiVideo | undefined {
    return this.#latest.get(key);
  }

  /** What a new tile pushes to its painter first, oldest first (maybe empty). */
  backlog(key: string): UiVideo[] {
    const latest = this.#latest.get(key);
    if (!latest) return [];
    const chain = this.#chains.get(key)?.frames;
    return chain ? [...chain] : [latest];
  }

  /** Forgets frames of keys not in `keep` (members who left). */
  retain(keep: ReadonlySet<string>): void {
    for (const key of [...this.#latest.keys()]) {
      if (key !== SELF_KEY && !keep.has(key)) {
        this.#latest.delete(key);
        this.#chains.delete(key);
      }
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
