import { VOICE_SAMPLE_RATE } from '../../protocol/audio/voice-packet.js';
import type { PlayoutSlot } from '../../protocol/audio/jitter-buffer.js';
import { Concealer } from '../../protocol/audio/concealment.js';
import { OpusDecoder } from './opus-codec.js';

/** Why a recording stopped before its length: the member left, or our call ended. */
export type RecordingCut = 'member-left' | 'call-ended';

/**
 * One `record-audio`: decodes a member's playout slots (what the node's jitter buffer plays,
 * one per 20 ms) into PCM until it holds the seconds asked for. Packets are decoded, missing
 * ones concealed (Concealer continues the last sound, fading), silence stays silence. A
 * packet libopus rejects is concealed too, and counted.
 */
export class AudioRecorder {
  readonly peer: string;
  readonly path: string;
  readonly #pcm: Float32Array;
  #length = 0;
  readonly #decoder = new OpusDecoder();
  readonly #concealer = new Concealer(VOICE_SAMPLE_RATE);
  #closed = false;
  /** Packets libopus could not decode (a member's bytes: counted, concealed). */
  undecodable = 0;

  constructor(options: { peer: string; seconds: number; path: string }) {
    this.peer = options.peer;
    this.path = options.path;
    this.#pcm = new Float32Array(Math.round(options.seconds * VOICE_SAMPLE_RATE));
  }

  get complete(): boolean {
    return this.#length >= this.#pcm.length;
  }

  get seconds(): number {
    return this.#length / VOICE_SAMPLE_RATE;
  }

  /** Adds one playout slot; returns whether the recording is complete now. */
  push(slot: PlayoutSlot): boolean {
    if (this.#closed || this.complete) return this.complete;
    this.#append(this.#render(slot));
    return this.complete;
  }

  #render(slot: PlayoutSlot): Float32Array {
    switch (slot.kind) {
      case 'packet':
        try {
          const pcm = this.#decoder.decode(slot.payload);
          this.#concealer.played(pcm);
          return pcm;
        } catch {
          this.undecodable++;
          return this.#concealer.conceal(slot.header.samples);
        }
      case 'conceal':
        return this.#concealer.conceal(slot.samples);
      case 'silence': {
        const pcm = new Float32Array(slot.samples);
        this.#concealer.played(pcm);
        return pcm;
      }
    }
  }

  #append(pcm: Float32Array): void {
    const room = this.#pcm.length - this.#length;
    this.#pcm.set(room < pcm.length ? pcm.subarray(0, room) : pcm, this.#length);
    this.#length += Math.min(room, pcm.length);
  }

  /** What was recorded so far (all of it once complete). */
  get pcm(): Float32Array {
    return this.#pcm.subarray(0, this.#length);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#decoder.close();
  }
}
