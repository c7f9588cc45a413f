/**
 * The page's microphone: getUserMedia (the browser's echo cancellation, noise suppression
 * and gain control, each a setting), 20 ms frames of 48 kHz PCM from the capture worklet,
 * their level (RFC 6464), and Opus from WebCodecs' AudioEncoder (20 ms, ~32 kb/s, in-band
 * FEC, DTX). Each encoded frame leaves as voice-packet bytes; the node assigns the seq it
 * sends with, so ours only counts.
 */
import type { VoiceHeader } from '../../protocol/audio/voice-packet.js';
import {
  VOICE_FRAME_SAMPLES,
  VOICE_SAMPLE_RATE,
  encodeVoicePacket,
} from '../../protocol/audio/voice-packet.js';
import { SpeakingDetector, levelOf } from './dsp.js';
import type { Msg } from '../i18n/catalog.js';
import { msg } from '../i18n/catalog.js';
import type { MicSettings } from './settings.js';
import type { WorkletMessage } from './worklet.js';

export type MicStatus =
  | { state: 'off' }
  | { state: 'starting' }
  | { state: 'on'; label: string }
  | { state: 'error'; message: Msg };

export interface MicListener {
  status(status: MicStatus): void;
  /** Every 20 ms: the frame's level (0 loud … 127 silent) and whether someone speaks. */
  level(level: number, speaking: boolean, nowMs: number): void;
  /** One encoded frame as voice-packet bytes (DTX leaves silent frames out). */
  packet(bytes: Uint8Array): void;
}

export const ENCODER_CONFIG: AudioEncoderConfig = {
  codec: 'opus',
  sampleRate: VOICE_SAMPLE_RATE,
  numberOfChannels: 1,
  bitrate: 32_000,
  opus: { frameDuration: 20_000, useinbandfec: true, usedtx: true, packetlossperc: 10 },
};
const FRAME_MS = (VOICE_FRAME_SAMPLES / VOICE_SAMPLE_RATE) * 1000;
/** Below about -50 dBov a frame is background, not someone speaking. */
const VOICE_LEVEL = 50;

/** What to tell the user about a microphone that did not open. */
export function micErrorMessage(error: unknown): Msg {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return msg('mic.refused');
    case 'NotFoundError':
      return msg('mic.notFound');
    case 'NotReadableError':
      return msg('mic.busy');
    case 'OverconstrainedError':
      return msg('mic.unavailable');
    default:
      return msg('mic.failed', {
        detail: error instanceof Error ? error.message : String(error),
      });
  }
}

interface Pending {
  timestamp: number;
  header: Omit<VoiceHeader, 'seq' | 'samples'>;
}

export class Microphone {
  readonly #context: AudioContext;
  readonly #listener: MicListener;
  readonly #detector = new SpeakingDetector();
  readonly #pending: Pending[] = [];
  #stream: MediaStream | null = null;
  #source: MediaStreamAudioSourceNode | null = null;
  #tap: AudioWorkletNode | null = null;
  #sink: GainNode | null = null;
  #encoder: AudioEncoder | null = null;
  #seq = 0;
  #closed = false;

  constructor(context: AudioContext, listener: MicListener) {
    this.#context = context;
    this.#listener = listener;
  }

  /** Opens the microphone; failures become an `error` status (a readable message). */
  async start(settings: MicSettings): Promise<void> {
    this.#listener.status({ state: 'starting' });
    try {
      if (typeof AudioEncoder === 'undefined') {
        throw new Error('this browser has no WebCodecs AudioEncoder');
      }
      const support = await AudioEncoder.isConfigSupported(ENCODER_CONFIG);
      if (!support.supported) throw new Error('this browser cannot encode Opus');
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          ...(settings.inputDevice ? { deviceId: { exact: settings.inputDevice } } : {}),
          echoCancellation: settings.echoCancellation,
          noiseSuppression: settings.noiseSuppression,
          autoGainControl: settings.autoGainControl,
          channelCount: 1,
        },
      });
      if (this.#closed) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      this.#stream = stream;
      this.#wire(stream);
      const track = stream.getAudioTracks()[0];
      track?.addEventListener('ended', () => {
        if (!this.#closed)
          this.#listener.status({ state: 'error', message: msg('mic.disconnected') });
      });
      this.#listener.status({ state: 'on', label: track?.label ?? '' });
    } catch (error: unknown) {
      if (this.#closed) return;
      this.#release();
      this.#listener.status({ state: 'error', message: micErrorMessage(error) });
    }
  }

  #wire(stream: MediaStream): void {
    const encoder = new AudioEncoder({
      output: (chunk) => this.#encoded(chunk),
      error: (error) => {
        if (!this.#closed)
          this.#listener.status({
            state: 'error',
            message: msg('mic.encoder', { detail: error.message }),
          });
      },
    });
    encoder.configure(ENCODER_CONFIG);
    this.#encoder = encoder;
    this.#source = this.#context.createMediaStreamSource(stream);
    this.#tap = new AudioWorkletNode(this.#context, 'meshcall-capture', { numberOfOutputs: 1 });
    this.#tap.port.onmessage = (event: MessageEvent<WorkletMessage>) => {
      if (event.data.type === 'frame') this.#frame(event.data.pcm, event.data.position);
    };
    // A node is only processed while something pulls it: a silent path to the output.
    this.#sink = new GainNode(this.#context, { gain: 0 });
    this.#source.connect(this.#tap).connect(this.#sink).connect(this.#context.destination);
  }

  #frame(pcm: Float32Array<ArrayBuffer>, position: number): void {
    if (this.#closed || !this.#encoder || this.#encoder.state !== 'configured') return;
    const now = Date.now();
    const level = levelOf(pcm);
    const voice = level <= VOICE_LEVEL;
    this.#listener.level(level, this.#detector.update(level, voice, now), now);
    const timestamp = Math.round((position * 1e6) / VOICE_SAMPLE_RATE);
    this.#pending.push({
      timestamp,
      // The frame's first sample was captured one frame before it was complete.
      header: { voice, level, position: position >>> 0, captureTs: Math.max(0, now - FRAME_MS) },
    });
    if (this.#pending.length > 50) this.#pending.shift();
    const data = new AudioData({
      format: 'f32-planar',
      sampleRate: VOICE_SAMPLE_RATE,
      numberOfFrames: pcm.length,
      numberOfChannels: 1,
      timestamp,
      data: pcm,
    });
    this.#encoder.encode(data);
    data.close();
  }

  #encoded(chunk: EncodedAudioChunk): void {
    if (this.#closed) return;
    // Frames DTX left out have no chunk: skip their entries (timestamps within half a frame).
    const slack = 10_000;
    while ((this.#pending[0]?.timestamp ?? Infinity) < chunk.timestamp - slack)
      this.#pending.shift();
    const entry = this.#pending[0];
    if (!entry || Math.abs(entry.timestamp - chunk.timestamp) > slack) return;
    this.#pending.shift();
    const opus = new Uint8Array(chunk.byteLength);
    chunk.copyTo(opus);
    const samples = Math.round(((chunk.duration ?? 20_000) * VOICE_SAMPLE_RATE) / 1e6);
    const header: VoiceHeader = {
      ...entry.header,
      seq: this.#seq,
      samples: samples || VOICE_FRAME_SAMPLES,
    };
    this.#seq = (this.#seq + 1) >>> 0;
    this.#listener.packet(encodeVoicePacket(header, opus));
  }

  #release(): void {
    this.#source?.disconnect();
    this.#tap?.disconnect();
    this.#sink?.disconnect();
    if (this.#tap) this.#tap.port.onmessage = null;
    if (this.#encoder && this.#encoder.state !== 'closed') this.#encoder.close();
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#source = this.#tap = this.#sink = null;
    this.#encoder = null;
    this.#stream = null;
  }

  /** Idempotent: stops the tracks (the browser's recording indicator goes out). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
    this.#listener.status({ state: 'off' });
  }
}
