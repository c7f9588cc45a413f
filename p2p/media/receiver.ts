import type { PeerMediaKeys } from './keys.js';
import type { FrameMeta, VideoCodec } from './frame.js';
import { decodeFramePayload } from './frame.js';
import { DecodableChains } from './decodable-chains.js';
import { RateWindow, SampleWindow } from './rate-window.js';
import { Reassembler } from './reassembler.js';
import { TypedEmitter } from '../base/typed-emitter.js';

export interface ReceivedFrame {
  readonly from: string;
  /** Its stream (layer), codec and whether it is a keyframe are in here. */
  readonly meta: FrameMeta;
  /** A JPEG, or an H.264 access unit (Annex B) that decodes after the frames before it. */
  readonly data: Uint8Array;
  readonly receivedAt: number;
  /** Capture on the sender to ready here, corrected for the two clocks' offset. */
  readonly latencyMs: number | null;
}

export interface MediaReceiverStats {
  fps: number;
  kbps: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  received: number;
  /** Frames lost on the way (incomplete, never arrived, or arrived after a newer one). */
  lost: number;
  /** Chunks or frames rejected as malformed, forged or replayed. */
  rejected: number;
  width: number;
  height: number;
  /** Of the latest frame emitted; null before any. */
  codec: VideoCodec | null;
  layer: number | null;
  /** Keyframe requests sent to the member (each repeat counts). */
  keyframesRequested: number;
  /** Frames that arrived but were not emitted: their chain was broken, or a codec we lack. */
  undecodable: number;
}

export interface MediaReceiverEvents {
  frame: [ReceivedFrame];
  /** Ask the member for a keyframe of this stream (repeated until one arrives). */
  'keyframe-request': [number];
}

export interface MediaReceiverOptions {
  /** Codecs our front end decodes; frames of others are undecodable. Default both. */
  decode?: readonly VideoCodec[];
  /** How often an unanswered keyframe request is repeated; default KEYFRAME_REPEAT_MS. */
  repeatMs?: number;
}

/**
 * Frames from one member: reassembles chunks, opens the sealed frame with that member's
 * media keys (shared with its voice receiver, see CallMedia), checks the authenticated
 * metadata, emits only frames that decode (see DecodableChains) and keeps the figures for
 * stats.
 */
export class MediaReceiver extends TypedEmitter<MediaReceiverEvents> {
  readonly peerId: string;
  readonly #keys: PeerMediaKeys;
  readonly #reassembler = new Reassembler();
  readonly #clockOffset: () => number | null;
  readonly #chains: DecodableChains;
  readonly #frames = new RateWindow(1000);
  readonly #bytes = new RateWindow(1000);
  readonly #latency = new SampleWindow(150);
  #received = 0;
  #rejected = 0;
  #latest: ReceivedFrame | null = null;
  #report = { received: 0, latencySum: 0, latencyCount: 0, lostBase: 0 };
  #closed = false;

  constructor(
    peerId: string,
    keys: PeerMediaKeys,
    clockOffset: () => number | null,
    options: MediaReceiverOptions = {},
  ) {
    super();
    this.peerId = peerId;
    this.#keys = keys;
    this.#clockOffset = clockOffset;
    this.#chains = new DecodableChains(options.decode ?? ['h264', 'jpeg'], options.repeatMs);
    this.#chains.on('request', (stream) => this.emit('keyframe-request', stream));
  }

  /** The newest frame shown, for snapshots and late-joining front ends. */
  get latest(): ReceivedFrame | null {
    return this.#latest;
  }

  push(chunk: Uint8Array, now = Date.now()): void {
    if (this.#closed) return;
    this.#bytes.add(chunk.length, now);
    const complete = this.#reassembler.push(chunk, now);
    if (!complete) return;
    const opened = this.#keys.opener.open(complete.sealed);
    if (!opened.ok) {
      this.#rejected++;
      return;
    }
    const decoded = decodeFramePayload(opened.plaintext);
    // The chunk header is unauthenticated; the sealed metadata is the truth and must agree.
    // (Order is the reassembler's job, replays the opener's.)
    if (
      !decoded.ok ||
      decoded.meta.frameNumber !== complete.frameNumber ||
      decoded.meta.stream !== complete.stream
    ) {
      this.#rejected++;
      return;
    }
    const offset = this.#clockOffset();
    const latencyMs = offset === null ? null : Math.max(0, now - (decoded.meta.captureTs - offset));
    // The sender's congestion control needs what arrived, decodable or not.
    if (latencyMs !== null) {
      this.#report.latencySum += latencyMs;
      this.#report.latencyCount++;
    }
    this.#report.received++;
    if (!this.#chains.accept(decoded.meta, now)) return;
    const frame: ReceivedFrame = {
      from: this.peerId,
      meta: decoded.meta,
      data: decoded.data,
      receivedAt: now,
      latencyMs,
    };
    this.#received++;
    this.#frames.add(1, now);
    if (latencyMs !== null) this.#latency.add(latencyMs);
    this.#latest = frame;
    this.emit('frame', frame);
  }

  /**
   * Our front end could not decode this member's video (or joined late): emit nothing more
   * of its stream until a keyframe, and ask for one.
   */
  requestKeyframe(now = Date.now()): void {
    if (!this.#closed) this.#chains.breakChain(this.#latest?.meta.stream ?? 0, now);
  }

  /** What happened since the last report, for the sender's congestion control. */
  takeReport(): { received: number; lost: number; latencyMs: number | null } {
    const lost = this.#lost();
    const report = {
      received: this.#report.received,
      lost: lost - this.#report.lostBase,
      latencyMs:
        this.#report.latencyCount > 0 ? this.#report.latencySum / this.#report.latencyCount : null,
    };
    this.#report = { received: 0, latencySum: 0, latencyCount: 0, lostBase: lost };
    return report;
  }

  stats(now = Date.now()): MediaReceiverStats {
    const reassembly = this.#reassembler.stats;
    return {
      fps: this.#frames.countRate(now),
      kbps: (this.#bytes.sumRate(now) * 8) / 1000,
      latencyP50Ms: this.#latency.percentile(50),
      latencyP95Ms: this.#latency.percentile(95),
      received: this.#received,
      lost: this.#lost(),
      rejected: this.#rejected + reassembly.malformed + reassembly.inconsistent,
      width: this.#latest?.meta.width ?? 0,
      height: this.#latest?.meta.height ?? 0,
      codec: this.#latest?.meta.codec ?? null,
      layer: this.#latest?.meta.stream ?? null,
      keyframesRequested: this.#chains.requested,
      undecodable: this.#chains.undecodable,
    };
  }

  close(): void {
    this.#closed = true;
    this.#latest = null;
    this.#chains.close();
    this.removeAllListeners();
  }

  #lost(): number {
    const reassembly = this.#reassembler.stats;
    return reassembly.droppedIncomplete + reassembly.droppedLate + reassembly.neverArrived;
  }
}
