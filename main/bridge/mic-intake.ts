/**
 * The page's microphone as the node takes it, for both shells (WebSocket binary messages,
 * Electron IPC): only a microphone frame (protocol/ui-frames.ts, kind 4) whose voice packet
 * decodes reaches the session. The page is untrusted: anything else is counted and logged,
 * and never answered (at 50 frames a second, answers would flood the page).
 */
import type { Logger } from '../../p2p/base/logger.js';
import { decodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { decodeUiMic } from '../../protocol/ui-frames.js';

export type MicVerdict = { ok: true; packet: Uint8Array } | { ok: false; message: string };

/** Checks one binary message from the page; the packet is a view into `bytes`. */
export function checkMicFrame(bytes: unknown): MicVerdict {
  if (!(bytes instanceof Uint8Array)) return { ok: false, message: 'not binary' };
  const packet = decodeUiMic(bytes);
  if (packet === null) return { ok: false, message: 'not a microphone frame' };
  const decoded = decodeVoicePacket(packet);
  if (!decoded.ok) return { ok: false, message: `bad voice packet (${decoded.reason})` };
  return { ok: true, packet };
}

export class MicIntake {
  readonly #deliver: (packet: Uint8Array) => void;
  readonly #log: Logger;
  #bad = 0;

  constructor(deliver: (packet: Uint8Array) => void, logger: Logger) {
    this.#deliver = deliver;
    this.#log = logger;
  }

  /** Frames refused so far. */
  get bad(): number {
    return this.#bad;
  }

  take(bytes: unknown): void {
    const verdict = checkMicFrame(bytes);
    if (verdict.ok) {
      this.#deliver(verdict.packet);
      return;
    }
    this.#bad += 1;
    // The first one is news; a page sending garbage at 50 a second is not, each time.
    const fields = { reason: verdict.message, bad: this.#bad };
    if (this.#bad === 1) this.#log.warn('ui: bad microphone frame', fields);
    else this.#log.debug('ui: bad microphone frame', fields);
  }
}
