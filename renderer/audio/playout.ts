/**
 * Plays the members: per member a JitterBuffer (when to play what), WebCodecs' AudioDecoder
 * (Opus → PCM) and a Concealer (what to play for a packet that is missing: the decoder has
 * no concealment of its own), mixed by the `meshcall-mixer` worklet at each member's volume.
 * The mixer's ticks (every 20 ms of audio time) drive the jitter buffers.
 */
import type { VoiceHeader } from '../../protocol/audio/voice-packet.js';
import { VOICE_SAMPLE_RATE } from '../../protocol/audio/voice-packet.js';
import { Concealer, JitterBuffer } from './dsp.js';
import type { MixerMessage } from './worklet.js';

export const DECODER_CONFIG: AudioDecoderConfig = {
  codec: 'opus',
  sampleRate: VOICE_SAMPLE_RATE,
  numberOfChannels: 1,
};

/** In playout order: a decode whose PCM may still be on its way, or a frame to conceal. */
type Entry = { kind: 'decode'; pcm: Float32Array | null } | { kind: 'conceal'; samples: number };

function monoPcm(data: AudioData): Float32Array {
  const pcm = new Float32Array(data.numberOfFrames);
  // Opus decodes to f32 here; plane 0 of mono f32 (interleaved or planar) is the channel.
  if (data.format === 'f32' || data.format === 'f32-planar') data.copyTo(pcm, { planeIndex: 0 });
  else data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' });
  return pcm;
}

class MemberVoice {
  readonly jitter = new JitterBuffer();
  readonly #concealer = new Concealer(VOICE_SAMPLE_RATE);
  readonly #entries: Entry[] = [];
  readonly #post: (pcm: Float32Array) => void;
  #decoder: AudioDecoder | null = null;
  #timestamp = 0;
  #closed = false;

  constructor(post: (pcm: Float32Array) => void) {
    this.#post = post;
  }

  #decoderNow(): AudioDecoder {
    if (this.#decoder && this.#decoder.state === 'configured') return this.#decoder;
    const decoder = new AudioDecoder({
      output: (data) => {
        const pcm = monoPcm(data);
        data.close();
        if (this.#closed || decoder !== this.#decoder) return;
        const entry = this.#entries.find((e) => e.kind === 'decode' && e.pcm === null);
        if (entry?.kind === 'decode') entry.pcm = pcm;
        this.#flush();
      },
      // A packet the decoder refuses closes it: conceal what was waiting, start a new one.
      error: () => {
        if (decoder !== this.#decoder) return;
        this.#decoder = null;
        for (const [i, entry] of this.#entries.entries()) {
          if (entry.kind === 'decode' && entry.pcm === null) {
            this.#entries[i] = { kind: 'conceal', samples: 960 };
          }
        }
        this.#flush();
      },
    });
    decoder.configure(DECODER_CONFIG);
    this.#decoder = decoder;
    return decoder;
  }

  tick(nowMs: number): void {
    const slot = this.jitter.pull(nowMs);
    if (slot.kind === 'silence') return;
    if (slot.kind === 'conceal') {
      this.#entries.push({ kind: 'conceal', samples: slot.samples });
    } else {
      this.#entries.push({ kind: 'decode', pcm: null });
      this.#timestamp += Math.round((slot.header.samples * 1e6) / VOICE_SAMPLE_RATE);
      try {
        this.#decoderNow().decode(
          new EncodedAudioChunk({ type: 'key', timestamp: this.#timestamp, data: slot.payload }),
        );
      } catch {
        this.#entries[this.#entries.length - 1] = { kind: 'conceal', samples: slot.header.samples };
      }
    }
    this.#flush();
  }

  /** Hands the mixer everything ready, in order; concealment is computed only now. */
  #flush(): void {
    for (;;) {
      const entry = this.#entries[0];
      if (!entry || (entry.kind === 'decode' && entry.pcm === null)) return;
      this.#entries.shift();
      if (entry.kind === 'decode' && entry.pcm) {
        this.#concealer.played(entry.pcm);
        this.#post(entry.pcm);
      } else if (entry.kind === 'conceal') {
        this.#post(this.#concealer.conceal(entry.samples));
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close();
    this.#decoder = null;
  }
}

export class Playout {
  readonly #mixer: AudioWorkletNode;
  readonly #members = new Map<string, MemberVoice>();
  readonly #volumeOf: (peer: string) => number;
  #closed = false;

  /** `volumeOf`: the volume a member starts at (what the user set for them before). */
  constructor(mixer: AudioWorkletNode, volumeOf: (peer: string) => number) {
    this.#mixer = mixer;
    this.#volumeOf = volumeOf;
  }

  #send(message: MixerMessage, transfer: Transferable[] = []): void {
    this.#mixer.port.postMessage(message, transfer);
  }

  push(peer: string, header: VoiceHeader, opus: Uint8Array, arrivalMs: number): void {
    if (this.#closed) return;
    let member = this.#members.get(peer);
    if (!member) {
      member = new MemberVoice((pcm) => this.#send({ type: 'pcm', peer, pcm }, [pcm.buffer]));
      this.#members.set(peer, member);
      this.#send({ type: 'gain', peer, gain: this.#volumeOf(peer) });
    }
    // The jitter buffer keeps the payload until its turn: a copy, not a view of the message.
    member.jitter.push(header, opus.slice(), arrivalMs);
  }

  /** One 20 ms step of every member (the mixer's tick). */
  tick(nowMs: number): void {
    if (this.#closed) return;
    for (const member of this.#members.values()) member.tick(nowMs);
  }

  setVolume(peer: string, gain: number): void {
    this.#send({ type: 'gain', peer, gain });
  }

  /** Members no longer in the call. */
  retain(peers: ReadonlySet<string>): void {
    for (const [peer, member] of this.#members) {
      if (peers.has(peer)) continue;
      member.close();
      this.#members.delete(peer);
      this.#send({ type: 'remove', peer });
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const member of this.#members.values()) member.close();
    this.#members.clear();
  }
}
