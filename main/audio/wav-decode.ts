import wavefile from 'wavefile';
import { VOICE_SAMPLE_RATE } from '../../protocol/audio/voice-packet.js';

/** Throws (wavefile's errors or RangeError) on bytes that are no usable WAV. */
export function decodeWavMono48k(bytes: Uint8Array): Float32Array {
  const wav = new wavefile.WaveFile(bytes);
  // Read before toBitDepth, which rebuilds the fmt chunk in place.
  const { numChannels: channels, sampleRate } = wav.fmt as {
    numChannels: number;
    sampleRate: number;
  };
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError('no channels');
  // Any integer or float PCM becomes float in [-1, 1]; compressed formats throw here.
  wav.toBitDepth('32f');
  const raw = wav.getSamples(false, Float32Array) as unknown;
  const planes = channels === 1 ? [raw as Float32Array] : (raw as Float32Array[]);
  const length = planes[0]?.length ?? 0;
  if (length === 0) throw new RangeError('no samples');
  const mono = new Float32Array(length);
  for (const plane of planes) {
    for (let i = 0; i < length; i++) mono[i] = (mono[i] ?? 0) + (plane[i] ?? 0) / channels;
  }
  if (sampleRate === VOICE_SAMPLE_RATE) return mono;
  const resampled = new wavefile.WaveFile();
  resampled.fromScratch(1, sampleRate, '32f', mono);
  // Sinc interpolation with wavefile's default low-pass filter: no aliasing when going down.
  resampled.toSampleRate(VOICE_SAMPLE_RATE, { method: 'sinc' });
  const out = resampled.getSamples(false, Float32Array) as unknown as Float32Array;
  if (out.length === 0) throw new RangeError('no samples after resampling');
  return out;
}
