import { TypedEmitter } from '../../p2p/base/typed-emitter.js';
import type { Logger } from '../../p2p/base/logger.js';
import type { OutgoingVoice } from '../call-adapter.js';
import { VOICE_FRAME_SAMPLES, decodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { CommandError } from '../command-error.js';
import type { CaptureClockOptions, CaptureTick } from './capture-clock.js';
import { CaptureClock } from './capture-clock.js';
import { levelOf } from '../../protocol/audio/level.js';
import { OpusEncoder } from './opus-codec.js';
import type { AudioSourceSpec, PcmSource } from './sources.js';
import { formatAudioSource, openPcmSource } from './sources.js';

/**
 * The sender's voice activity: a frame at or above −50 dBov counts as someone speaking. Our
 * sources are a tone, a file or the page (whose own detector decides for its packets), so a
 * level threshold is all the node needs.
 */
export const VOICE_ACTIVITY_LEVEL = 50;
/** Bad page packets are reported at most this often (each one is counted). */
const REJECT_REPORT_INTERVAL_MS = 1000;

export interface AudioSettings {
  source: string;
  muted: boolean;
}

export interface LocalAudioOptions {
  source: AudioSourceSpec;
  logger: Logger;
  /** Where our packets go: the call adapter (a no-op outside a call). */
  send: (packet: OutgoingVoice) => void;
  clock?: CaptureClockOptions;
}

export interface LocalAudioEvents {
  settings: [AudioSettings];
  error: [CommandError];
}

export interface LocalAudioStats {
  /** Frames we encoded and handed on. */
  sent: number;
  /** Page packets rejected as malformed. */
  rejectedUiPackets: number;
  /** Page packets dropped because the source is not `ui` or we are muted. */
  ignoredUiPackets: number;
}

/**
 * This node's own voice: a tone, a looping file, the page's microphone, or nothing. Made
 * sources run on the 20 ms capture clock while a call is on (start/stop); each frame is
 * measured (level, voice activity), encoded with Opus and handed to `send`. Muted, nothing
 * is sent (the clock keeps running so the sample position stays true).
 */
export class LocalAudio extends TypedEmitter<LocalAudioEvents> {
  #spec: AudioSourceSpec;
  #pcm: PcmSource | null = null;
  #muted = false;
  #active = false;
  #closed = false;
  /** +1 per setSource: an older one that finishes loading later is dropped. */
  #sourceRequest = 0;
  readonly #send: (packet: OutgoingVoice) => void;
  readonly #log: Logger;
  readonly #clock: CaptureClock;
  readonly #frame = new Float32Array(VOICE_FRAME_SAMPLES);
  #encoder: OpusEncoder | null = null;
  /** Sample index where the current clock run starts, so positions never go back. */
  #positionBase = 0;
  #lastSample = -VOICE_FRAME_SAMPLES;
  #lastRejectReport = -Infinity;
  readonly #stats: LocalAudioStats = { sent: 0, rejectedUiPackets: 0, ignoredUiPackets: 0 };

  constructor(options: LocalAudioOptions) {
    super({ logger: options.logger, name: 'local-audio' });
    this.#spec = options.source;
    this.#send = options.send;
    this.#log = options.logger;
    this.#clock = new CaptureClock((tick) => this.#capture(tick), options.clock);
  }

  /** Opens the source given at construction (a file is read here). */
  async init(): Promise<void> {
    await this.setSource(this.#spec);
  }

  get settings(): AudioSettings {
    return { source: formatAudioSource(this.#spec), muted: this.#muted };
  }

  get muted(): boolean {
    return this.#muted;
  }

  get stats(): Readonly<LocalAudioStats> {
    return { ...this.#stats };
  }

  /**
   * Switches the source; throws MediaError (ERR_FILE_UNAVAILABLE) and keeps the old one
   * when a file cannot be read.
   */
  async setSource(spec: AudioSourceSpec): Promise<void> {
    const request = ++this.#sourceRequest;
    const pcm = await openPcmSource(spec);
    if (this.#closed || request !== this.#sourceRequest) return;
    this.#spec = spec;
    this.#pcm = pcm;
    this.#updateClock();
    this.emit('settings', this.settings);
  }

  setMuted(muted: boolean): void {
    if (this.#closed) return;
    this.#muted = muted;
    this.emit('settings', this.settings);
  }

  /** A call is on: made sources start sending. */
  start(): void {
    this.#active = true;
    this.#updateClock();
  }

  stop(): void {
    this.#active = false;
    this.#updateClock();
  }

  /**
   * One packet of the page's microphone (header and Opus, seq left to the call). Malformed
   * bytes are counted and reported, and change nothing; packets are dropped unless the
   * source is `ui` and we are not muted.
   */
  pushUiPacket(bytes: Uint8Array): void {
    if (this.#closed) return;
    const decoded = decodeVoicePacket(bytes);
    if (!decoded.ok) {
      this.#stats.rejectedUiPackets++;
      this.#reportReject(decoded.reason);
      return;
    }
    if (this.#spec.kind !== 'ui' || this.#muted) {
      this.#stats.ignoredUiPackets++;
      return;
    }
    const { seq: _seq, ...header } = decoded.header;
    this.#stats.sent++;
    this.#send({ ...header, opus: decoded.opus.slice() });
  }

  #reportReject(reason: string): void {
    const now = performance.now();
    if (now - this.#lastRejectReport < REJECT_REPORT_INTERVAL_MS) return;
    this.#lastRejectReport = now;
    const count = this.#stats.rejectedUiPackets;
    this.#log.warn('rejected a voice packet from the interface', { reason, count });
    this.emit(
      'error',
      new CommandError(
        'ERR_BAD_MESSAGE',
        `voice packet from the interface rejected (${reason}); ${count} rejected so far`,
      ),
    );
  }

  #updateClock(): void {
    const wanted = this.#active && this.#pcm !== null && !this.#closed;
    if (wanted && !this.#clock.running) {
      this.#positionBase = this.#lastSample + VOICE_FRAME_SAMPLES;
      this.#encoder ??= new OpusEncoder();
      this.#clock.start();
    } else if (!wanted && this.#clock.running) {
      this.#clock.stop();
    }
  }

  #capture(tick: CaptureTick): void {
    const pcm = this.#pcm;
    const encoder = this.#encoder;
    const sample = this.#positionBase + tick.sample;
    this.#lastSample = sample;
    if (!pcm || !encoder || this.#muted) return;
    pcm.read(sample, this.#frame);
    const level = levelOf(this.#frame);
    this.#send({
      voice: level <= VOICE_ACTIVITY_LEVEL,
      level,
      // The sender's 48 kHz sample clock, wrapping at 2^32 as the header does.
      position: sample % 2 ** 32,
      samples: VOICE_FRAME_SAMPLES,
      captureTs: tick.captureTs,
      opus: encoder.encode(this.#frame),
    });
    this.#stats.sent++;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.stop();
    this.#encoder?.close();
    this.#encoder = null;
    this.#pcm = null;
    this.removeAllListeners();
  }
}
