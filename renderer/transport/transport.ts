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
}

/**
 * The node is trusted to speak the protocol, but the page still treats what it sends as
 * untrusted input: a message that does not match the protocol's schema is dropped instead
 * of reaching the store. Returns the message as parsed (fields the schema does not name are
 * left out), or null.
 */
export function validServerMessage(value: unknown): ServerMessage | null {
  const parsed = serverMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Parses one JSON text message from the node; null when it is not a ServerMessage. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return validServerMessage(value);
}
