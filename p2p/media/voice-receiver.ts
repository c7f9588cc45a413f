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

/** The base (queue-free) delay is the least seen over two such periods. */
const BASE_PERIOD_MS = 5000;

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
  /** Least (arrival − sender's capture time) in this and the previous base period. */
  #base = { current: Infinity, previous: Infinity, since: -Infinity };
  /** Least standing queue since the last report; null without packets. */
  #queueMs: number | null = null;

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
    this.#trackQueue(now - decoded.header.captureTs, now);
    const offset = this.#clockOffset();
    const captureTs = decoded.header.captureTs - (offset ?? 0);
    const header = { ...decoded.header, captureTs: Math.max(0, captureTs) };
    this.#packets++;
    const speaking = this.#speaking.update(header.level, header.voice, now);
    this.#last = { level: header.level, at: now, speaking };
    return { from: this.peerId, header, opus: decoded.opus, receivedAt: now };
  }

  /**
   * The standing queue our packets met since the last call: the least delay above the base
   * (a queue that stands raises every packet's delay; one burst raises only a few). Clock
   * offsets cancel out: both delays are on the same pair of clocks. Null without packets.
   */
  takeQueueMs(): number | null {
    const queue = this.#queueMs;
    this.#queueMs = null;
    return queue;
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

  #trackQueue(delay: number, now: number): void {
    const base = this.#base;
    if (now - base.since > BASE_PERIOD_MS) {
      base.previous = base.current;
      base.current = Infinity;
      base.since = now;
    }
    base.current = Math.min(base.current, delay);
    const queue = Math.max(0, delay - Math.min(base.current, base.previous));
    this.#queueMs = this.#queueMs === null ? queue : Math.min(this.#queueMs, queue);
  }
}
