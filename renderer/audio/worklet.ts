/**
 * The audio thread (AudioWorkletGlobalScope), served as its own file (audio-worklet.js,
 * scripts/build-renderer.mjs) because the page's CSP allows scripts from 'self' only, so no
 * blob: or data: module. Two processors:
 * - `meshcall-capture` taps the microphone and posts whole 20 ms frames (960 samples).
 * - `meshcall-mixer` plays each member's decoded PCM at its own gain and asks the page for
 *   the next frame every 20 ms of audio time: the playout clock is the sound card's, so it
 *   neither drifts from what is played nor stalls when the page's timers are throttled.
 * Messages are plain data (protocol below); this file imports nothing.
 */

// The worklet scope's globals; TypeScript's DOM library does not describe them.
declare const currentFrame: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(
  name: string,
  processor: new (options: unknown) => AudioWorkletProcessor,
): void;

const FRAME = 960;
/** A member starts (again) once this much is queued: one frame of margin for the page. */
const PRIME = 2 * FRAME;
/** More than this queued (the page caught up after a stall): the oldest is dropped. */
const MAX_QUEUED = 6 * FRAME;

export type MixerMessage =
  | { type: 'pcm'; peer: string; pcm: Float32Array }
  | { type: 'gain'; peer: string; gain: number }
  | { type: 'remove'; peer: string };
/** Mixer → page: play the next 20 ms; capture → page: one frame of microphone PCM. */
export type WorkletMessage =
  { type: 'tick' } | { type: 'frame'; pcm: Float32Array<ArrayBuffer>; position: number };

class CaptureProcessor extends AudioWorkletProcessor {
  #frame: Float32Array<ArrayBuffer> = new Float32Array(FRAME);
  #filled = 0;
  #start = 0;

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0]?.[0];
    if (!input) return true;
    let offset = 0;
    while (offset < input.length) {
      if (this.#filled === 0) this.#start = currentFrame + offset;
      const take = Math.min(FRAME - this.#filled, input.length - offset);
      this.#frame.set(input.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === FRAME) {
        const message: WorkletMessage = { type: 'frame', pcm: this.#frame, position: this.#start };
        this.port.postMessage(message, [this.#frame.buffer]);
        this.#frame = new Float32Array(FRAME);
        this.#filled = 0;
      }
    }
    return true;
  }
}

interface Voice {
  chunks: Float32Array[];
  read: number;
  queued: number;
  playing: boolean;
  gain: number;
}

class MixerProcessor extends AudioWorkletProcessor {
  readonly #voices = new Map<string, Voice>();
  #sinceTick = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<MixerMessage>) => this.#onMessage(event.data);
  }

  #voice(peer: string): Voice {
    let voice = this.#voices.get(peer);
    if (!voice) {
      voice = { chunks: [], read: 0, queued: 0, playing: false, gain: 1 };
      this.#voices.set(peer, voice);
    }
    return voice;
  }

  #onMessage(message: MixerMessage): void {
    if (message.type === 'remove') {
      this.#voices.delete(message.peer);
      return;
    }
    const voice = this.#voice(message.peer);
    if (message.type === 'gain') {
      voice.gain = message.gain;
      return;
    }
    voice.chunks.push(message.pcm);
    voice.queued += message.pcm.length;
    while (voice.queued > MAX_QUEUED && voice.chunks.length > 1) {
      const dropped = voice.chunks.shift();
      voice.queued -= (dropped?.length ?? 0) - voice.read;
      voice.read = 0;
    }
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0]?.[0];
    if (!out) return true;
    out.fill(0);
    for (const voice of this.#voices.values()) mixInto(out, voice);
    this.#sinceTick += out.length;
    if (this.#sinceTick >= FRAME) {
      this.#sinceTick -= FRAME;
      const message: WorkletMessage = { type: 'tick' };
      this.port.postMessage(message);
    }
    return true;
  }
}

function mixInto(out: Float32Array, voice: Voice): void {
  if (!voice.playing) {
    if (voice.queued < PRIME) return;
    voice.playing = true;
  }
  let i = 0;
  while (i < out.length) {
    const chunk = voice.chunks[0];
    if (!chunk) {
      // Ran dry (silence, DTX, a late page): wait for PRIME again rather than crackle.
      voice.playing = false;
      return;
    }
    const take = Math.min(out.length - i, chunk.length - voice.read);
    for (let k = 0; k < take; k++) {
      out[i + k] = (out[i + k] ?? 0) + (chunk[voice.read + k] ?? 0) * voice.gain;
    }
    i += take;
    voice.read += take;
    voice.queued -= take;
    if (voice.read === chunk.length) {
      voice.chunks.shift();
      voice.read = 0;
    }
  }
}

registerProcessor('meshcall-capture', CaptureProcessor);
registerProcessor('meshcall-mixer', MixerProcessor);
