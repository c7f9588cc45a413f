import type { VoiceHeader } from '../../protocol/audio/voice-packet.js';
import { encodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import type { OwnMediaKey } from './keys.js';
import { RateWindow } from './rate-window.js';

/** One encoded voice frame on its way out; the sender assigns its sequence number. */
export type OutgoingVoice = Omit<VoiceHeader, 'seq'> & { opus: Uint8Array };

export interface VoiceSenderStats {
  /** Packets sent (to any member) since the call began. */
  packets: number;
  kbps: number;
  muted: boolean;
}

/** What the sender needs of a link. */
export interface VoiceLink {
  readonly state: string;
  sendVoice(packet: Uint8Array): boolean;
}

/**
 * Seals each voice packet once with our media key (the same key, rotation and nonce
 * sequence as video) and offers it to every open link. Muted, it sends nothing at all and
 * assigns no sequence numbers: the receiver sees the jump in `position` as silence, not loss.
 */
export class VoiceSender {
  readonly #key: OwnMediaKey;
  readonly #bytes = new RateWindow(1000);
  #seq = 0;
  #packets = 0;
  #muted = false;

  constructor(key: OwnMediaKey) {
    this.#key = key;
  }

  get muted(): boolean {
    return this.#muted;
  }

  set muted(muted: boolean) {
    this.#muted = muted;
  }

  /**
   * Returns the links it went to (none while muted). Throws (RangeError) on a packet no
   * receiver would accept: the caller's bug.
   */
  send<L extends VoiceLink>(packet: OutgoingVoice, links: Iterable<L>, now = Date.now()): L[] {
    if (this.#muted) return [];
    const open = [...links].filter((link) => link.state === 'open');
    if (open.length === 0) return [];
    const { opus, ...header } = packet;
    const sealed = this.#key.seal(encodeVoicePacket({ ...header, seq: this.#seq }, opus));
    this.#seq = (this.#seq + 1) >>> 0;
    this.#packets++;
    for (const link of open) {
      if (link.sendVoice(sealed)) this.#bytes.add(sealed.length, now);
    }
    return open;
  }

  stats(now = Date.now()): VoiceSenderStats {
    return {
      packets: this.#packets,
      kbps: (this.#bytes.sumRate(now) * 8) / 1000,
      muted: this.#muted,
    };
  }
}
