import type {
  ClientMessage,
  ServerMessage,
  UiVideo,
  UiVoiceFrame,
} from '../../protocol/ui-protocol.js';
import { serverMessageSchema } from '../../protocol/ui-protocol.js';

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  /** `retryAt`: when the next attempt starts (ms since the epoch), or null for never. */
  | { state: 'closed'; retryAt: number | null; attempt: number };

/** How the interface talks to its node: Electron's preload bridge or the local WebSocket. */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  /** False when the message could not be handed over (not connected). */
  send(message: ClientMessage): boolean;
  onMessage(listener: (message: ServerMessage) => void): () => void;
  onFrame(listener: (frame: UiVideo) => void): () => void;
  /** Members' voice packets (still to be checked with decodeVoicePacket). */
  onVoice(listener: (frame: UiVoiceFrame) => void): () => void;
  /** One microphone voice packet; false when it could not be handed over. */
  sendMic(packet: Uint8Array): boolean;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  readonly status: ConnectionStatus;
  /** Tries to connect now instead of waiting for the next scheduled attempt. */
  retryNow(): void;
  close(): void;
}

/** A tiny listener set that never lets one failing listener stop the others. */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (error: unknown) {
        // A listener bug must not break the connection; rethrow it where developers look.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }

  get size(): number {
    return this.#listeners.size;
  }
}

/**
 * The node's messages, held while nobody listens. The transport connects as soon as it is
 * made, but the interface subscribes only after its first paint (a Preact effect): on a
 * loaded machine the node's hello arrived in between and was lost, and a page that never
 * saw hello never asked for the peers or the call (it showed an empty lobby mid-call).
 */
export class HeldMessages<T> {
  readonly #listeners = new Listeners<T>();
  readonly #held: T[] = [];

  constructor(readonly capacity = 256) {}

  add(listener: (value: T) => void): () => void {
    const off = this.#listeners.add(listener);
    if (this.#listeners.size === 1) {
      for (const value of this.#held.splice(0)) this.#listeners.emit(value);
    }
    return off;
  }

  emit(value: T): void {
    if (this.#listeners.size > 0) {
      this.#listeners.emit(value);
      return;
    }
    // Only the newest matter when nobody came for the first `capacity`.
    if (this.#held.length >= this.capacity) this.#held.shift();
    this.#held.push(value);
  }

  clear(): void {
    this.#listeners.clear();
    this.#held.length = 0;
  }
}

/** Messages from the node dropped because they did not match the protocol. */
const refused = { count: 0 };

/** Counts one dropped message; the first and every hundredth are reported. */
function refuse(reason: string): void {
  refused.count += 1;
  if (refused.count !== 1 && refused.count % 100 !== 0) return;
  // The page has no log of its own: the developer console is where a node and a page that
  // disagree on the protocol show up (and the UI tests fail on this line).
  // eslint-disable-next-line no-console
  console.warn(`meshcall: dropped ${refused.count} message(s) from the node; last: ${reason}`);
}

/**
 * The node is trusted to speak the protocol, but the page still treats what it sends as
 * untrusted input: a message that does not match the protocol's schema is dropped instead
 * of reaching the store. Returns the message as parsed (fields the schema does not name are
 * left out), or null.
 */
export function validServerMessage(value: unknown): ServerMessage | null {
  const parsed = serverMessageSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Where the message broke the schema, never its content (it may carry chat text).
  const where = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    .join(', ');
  refuse(where);
  return null;
}

export function refusedServerMessages(): number {
  return refused.count;
}

/** Parses one JSON text message from the node; null when it is not a ServerMessage. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    refuse('not JSON');
    return null;
  }
  return validServerMessage(value);
}
