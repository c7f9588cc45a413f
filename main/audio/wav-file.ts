import path from 'node:path';
import wavefile from 'wavefile';
import { VOICE_SAMPLE_RATE } from '../../protocol/audio/voice-packet.js';
import { writeOwnerOnly } from '../owner-only-file.js';
import { floatToInt16 } from './opus-codec.js';

/** 48 kHz mono 16-bit PCM as WAV bytes. */
export function encodeWav16(pcm: Float32Array): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, VOICE_SAMPLE_RATE, '16', floatToInt16(pcm));
  return wav.toBuffer();
}

/**
 * Writes a recording where the user asked, owner-only (0600): a recording is as private as
 * the call. Returns the absolute path.
 */
export async function writeWav16(target: string, pcm: Float32Array): Promise<string> {
  const absolute = path.resolve(target);
  await writeOwnerOnly(absolute, encodeWav16(pcm));
  return absolute;
}
