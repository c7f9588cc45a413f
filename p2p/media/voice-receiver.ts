import type { VoiceHeader } from '../../protocol/audio/voice-packet.js';
import { SILENT_LEVEL, decodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { SpeakingDetector, levelToDbov } from '../../protocol/audio/level.js';
import type { PeerMediaKeys } from './keys.js';

export interface ReceivedVoice {
  readonly from: string;
  /** captureTs corrected to our clock when the link's clock offset is known. */
  readonly header: VoiceHeader;
  readonly opus: Uint8Array;
  readonly receivedAt: number;
}

export interface VoiceReceiverStats {
  packets: number;
  /** Packets rejected as malformed, forged or replayed. */
  rejected: number;
  /** dBov of the latest packet; silence once none came for a while (muted, DTX). */
  level: number;
  speaking: boolean;
}

/** A level older than this is not "the member's level now" any more. */
const LEVEL_STALE_MS = 500;
/** Packets come every 20 ms while a member talks (DTX and mute stop them): a longer gap ends speech. */
const SPEAKING_GAP_MS = 200;

/**
 * Voice packets from one member: opens each with that member's media keys (the opener it
 * shares with video, so one nonce sequence and one replay window cover both), checks the
 * packet, corrects the capture time to our clock, and follows the level and speaking state.
 * Bad packets are counted and change nothing else.
 */
export class VoiceReceiver {
  readonly peerId: string;
  readonly #keys: PeerMediaKeys;
  readonly #clockOffset: () => number | null;
  readonly #speaking = new SpeakingDetector();
  #packets = 0;
  #rejected = 0;
  #last: { level: number; at: number; speaking: boolean } | null = null;

  constructor(peerId: string, keys: PeerMediaKeys, clockOffset: () => number | null) {
    this.peerId = peerId;
    this.#keys = keys;
    this.#clockOffset = clockOffset;
  }

  /** The packet, opened and checked; null (and counted) when it is not one to play. */
  push(sealed: Uint8Array, now = Date.now()): ReceivedVoice | null {
    const opened = this.#keys.opener.open(sealed);
    const decoded = opened.ok ? decodeVoicePacket(opened.plaintext) : null;
    if (!decoded?.ok) {
      this.#rejected++;
      return null;
    }
    const offset = this.#clockOffset();
    const captureTs = decoded.header.captureTs - (offset ?? 0);
    const header = { ...decoded.header, captureTs: Math.max(0, captureTs) };
    this.#packets++;
    const speaking = this.#speaking.update(header.level, header.voice, now);
    this.#last = { level: header.level, at: now, speaking };
    return { from: this.peerId, header, opus: decoded.opus, receivedAt: now };
  }

  stats(now = Date.now()): VoiceReceiverStats {
    const last = this.#last;
    const fresh = last !== null && now - last.at <= LEVEL_STALE_MS;
    return {
      packets: this.#packets,
      rejected: this.#rejected,
      level: levelToDbov(fresh ? last.level : SILENT_LEVEL),
      speaking: last !== null && last.speaking && now - last.at <= SPEAKING_GAP_MS,
    };
  }
}
