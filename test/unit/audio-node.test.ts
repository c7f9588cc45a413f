import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import wavefile from 'wavefile';
import { silentLogger } from '../../p2p/base/logger.js';
import { VOICE_FRAME_SAMPLES, encodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { CaptureClock, FRAME_MS } from '../../main/audio/capture-clock.js';
import type { OutgoingVoice } from '../../main/call-adapter.js';
import { LocalAudio } from '../../main/audio/local-audio.js';
import { OpusDecoder, OpusEncoder, VOICE_BITRATE } from '../../main/audio/opus-codec.js';
import { AudioRecorder } from '../../main/audio/recorder.js';
import {
  TONE_AMPLITUDE,
  TONE_RMS_DBFS,
  ToneSource,
  loadWavMono48k,
  parseAudioSource,
} from '../../main/audio/sources.js';
import { decodeWavMono48k } from '../../main/audio/wav-decode.js';
import { writeWav16 } from '../../main/audio/wav-file.js';
import { isCodedError } from '../../protocol/errors.js';
import { parseAppArgs, parseHeadlessArgs } from '../../main/cli-args.js';

function rmsDb(pcm: Float32Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return 10 * Math.log10(sum / pcm.length);
}

/** Zero crossings per second / 2: the frequency of a clean sine. */
function crossingHz(pcm: Float32Array, rate = 48_000): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) {
    if ((pcm[i - 1] ?? 0) < 0 && (pcm[i] ?? 0) >= 0) crossings++;
  }
  return crossings / (pcm.length / rate);
}

function tone(hz: number, frames: number): Float32Array[] {
  const source = new ToneSource(hz);
  return Array.from({ length: frames }, (_, i) => {
    const frame = new Float32Array(VOICE_FRAME_SAMPLES);
    source.read(i * VOICE_FRAME_SAMPLES, frame);
    return frame;
  });
}

function sine(hz: number, rate: number, amplitude: number): Float32Array {
  return new Float32Array(rate).map((_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** A canonical 44-byte-header PCM WAV, 16-bit, channels interleaved. */
function pcm16Wav(rate: number, channels: Float32Array[]): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const dataBytes = frames * channels.length * 2;
  const out = new DataView(new ArrayBuffer(44 + dataBytes));
  const ascii = (offset: number, text: string): void =>
    [...text].forEach((c, i) => out.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  out.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVEfmt ');
  out.setUint32(16, 16, true);
  out.setUint16(20, 1, true);
  out.setUint16(22, channels.length, true);
  out.setUint32(24, rate, true);
  out.setUint32(28, rate * channels.length * 2, true);
  out.setUint16(32, channels.length * 2, true);
  out.setUint16(34, 16, true);
  ascii(36, 'data');
  out.setUint32(40, dataBytes, true);
  for (let i = 0; i < frames; i++) {
    channels.forEach((channel, c) => {
      const offset = 44 + (i * channels.length + c) * 2;
      out.setInt16(offset, Math.round((channel[i] ?? 0) * 32767), true);
    });
  }
  return new Uint8Array(out.buffer);
}

describe('node audio: Opus codec', () => {
  it('encodes a tone at about 32 kb/s and decodes it at its level and pitch', () => {
    const encoder = new OpusEncoder();
    const decoder = new OpusDecoder();
    const frames = tone(440, 100);
    const packets = frames.map((frame) => encoder.encode(frame));
    const decoded = packets.map((packet) => decoder.decode(packet));
    encoder.close();
    decoder.close();
    const bytes = packets.reduce((sum, p) => sum + p.length, 0);
    const kbps = (bytes * 8) / 2 / 1000;
    assert.ok(
      kbps > 0.6 * (VOICE_BITRATE / 1000) && kbps < 1.2 * (VOICE_BITRATE / 1000),
      `${kbps}`,
    );
    assert.ok(decoded.every((pcm) => pcm.length === VOICE_FRAME_SAMPLES));
    const tail = new Float32Array(50 * VOICE_FRAME_SAMPLES);
    decoded.slice(50).forEach((pcm, i) => tail.set(pcm, i * VOICE_FRAME_SAMPLES));
    assert.ok(Math.abs(rmsDb(tail) - TONE_RMS_DBFS) < 1, `level ${rmsDb(tail)}`);
    assert.ok(Math.abs(crossingHz(tail) - 440) <= 2, `pitch ${crossingHz(tail)}`);
  });

  it('throws on bytes libopus rejects, and after close', () => {
    const decoder = new OpusDecoder();
    assert.throws(() => decoder.decode(new Uint8Array([0xff, 0xff, 0xff])));
    decoder.close();
    decoder.close();
    assert.throws(() => decoder.decode(new Uint8Array([0xf8])), /closed/);
  });
});

describe('node audio: sources', () => {
  it('parses and rejects source specs with ERR_BAD_SOURCE', () => {
    assert.deepEqual(parseAudioSource('tone:440'), { kind: 'tone', hz: 440 });
    assert.deepEqual(parseAudioSource('none'), { kind: 'none' });
    assert.deepEqual(parseAudioSource('ui'), { kind: 'ui' });
    assert.deepEqual(parseAudioSource('file:a.wav'), { kind: 'file', path: 'a.wav' });
    for (const bad of ['tone:', 'tone:-3', 'tone:5', 'tone:30000', 'tone:4e2', 'mic', 'file:']) {
      assert.throws(
        () => parseAudioSource(bad),
        (err: unknown) => isCodedError(err) && err.code === 'ERR_BAD_SOURCE',
        bad,
      );
    }
  });

  it('--audio-source: none for headless, ui for the app, checked like the command', () => {
    assert.deepEqual(parseHeadlessArgs([]).audioSource, { kind: 'none' });
    assert.deepEqual(parseAppArgs([]).audioSource, { kind: 'ui' });
    const tone = parseHeadlessArgs(['--audio-source', 'tone:660']).audioSource;
    assert.deepEqual(tone, { kind: 'tone', hz: 660 });
    assert.throws(() => parseHeadlessArgs(['--audio-source', 'tone:1']), /bad tone/);
  });

  it('makes a continuous tone at the stated level', () => {
    const frames = tone(440, 50);
    const all = new Float32Array(frames.length * VOICE_FRAME_SAMPLES);
    frames.forEach((f, i) => all.set(f, i * VOICE_FRAME_SAMPLES));
    assert.ok(Math.abs(rmsDb(all) - TONE_RMS_DBFS) < 0.01);
    assert.ok(Math.max(...all) <= TONE_AMPLITUDE + 1e-6);
    // The first upward crossing is at sample 0, before the count starts.
    assert.ok(Math.abs(crossingHz(all) - 440) <= 1, `${crossingHz(all)}`);
  });

  describe('file: WAV', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'meshcall-audio-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads a stereo 44.1 kHz 16-bit sine as mono 48 kHz, same pitch, level and length', async () => {
      const file = path.join(dir, 'sine.wav');
      // Written by hand (not with wavefile, which reads it back): 1 s of a 1 kHz sine at
      // −18 dBFS peak in the left channel, −12 dBFS in the right.
      await writeFile(
        file,
        pcm16Wav(44_100, [sine(1000, 44_100, 0.125), sine(1000, 44_100, 0.25)]),
      );
      const pcm = await loadWavMono48k(file);
      assert.ok(Math.abs(pcm.length - 48_000) <= 2, `${pcm.length} samples`);
      const middle = pcm.subarray(4800, 43_200);
      assert.ok(Math.abs(crossingHz(middle) - 1000) <= 2, `${crossingHz(middle)}`);
      // The mixdown averages the channels: peak 0.1875, RMS −17.55 dBFS.
      const expected = 20 * Math.log10(0.1875 / Math.SQRT2);
      assert.ok(Math.abs(rmsDb(middle) - expected) < 0.5, `${rmsDb(middle)}`);
    });

    it('rejects a missing file and bytes that are no WAV with ERR_FILE_UNAVAILABLE', async () => {
      const notWav = path.join(dir, 'text.wav');
      await writeFile(notWav, 'not a wav');
      for (const file of [path.join(dir, 'missing.wav'), notWav, dir]) {
        await assert.rejects(
          loadWavMono48k(file),
          (err: unknown) => isCodedError(err) && err.code === 'ERR_FILE_UNAVAILABLE',
        );
      }
      assert.throws(() => decodeWavMono48k(new Uint8Array(44)));
    });

    it('writes a 48 kHz mono 16-bit WAV only its owner may read', async () => {
      const file = path.join(dir, 'out.wav');
      const pcm = new Float32Array(4800).map((_, i) => Math.sin(i / 10) * 0.5);
      const written = await writeWav16(file, pcm);
      assert.equal(written, file);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const wav = new wavefile.WaveFile(await readFile(file));
      const fmt = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number };
      assert.deepEqual([fmt.numChannels, fmt.sampleRate, fmt.bitsPerSample], [1, 48_000, 16]);
      const back = decodeWavMono48k(await readFile(file));
      assert.equal(back.length, pcm.length);
      assert.ok(Math.abs((back[100] ?? 0) - (pcm[100] ?? 0)) < 1e-4);
    });
  });
});

describe('node audio: capture clock', () => {
  it('does not drift: frame n is emitted at start + (n + 1) × 20 ms, captureTs on the grid', async () => {
    const ticks: { index: number; captureTs: number; at: number }[] = [];
    const start = performance.now();
    let clock: CaptureClock | null = null;
    await new Promise<void>((resolve) => {
      clock = new CaptureClock(
        (tick) => {
          ticks.push({ ...tick, at: performance.now() });
          if (tick.index === 49) {
            clock?.stop();
            resolve();
          }
        },
        { wall: () => performance.now() },
      );
      clock.start();
    });
    assert.equal(ticks.length, 50);
    ticks.forEach((tick, i) => assert.equal(tick.index, i));
    const last = ticks[49];
    assert.ok(last);
    // 50 frames take 1 s; drift would show as a later last frame (generous bound for load).
    assert.ok(last.at - start >= 50 * FRAME_MS - 1, `${last.at - start}`);
    for (let i = 1; i < ticks.length; i++) {
      const step = (ticks[i]?.captureTs ?? 0) - (ticks[i - 1]?.captureTs ?? 0);
      assert.ok(Math.abs(step - FRAME_MS) < 0.5, `captureTs step ${step}`);
    }
  });

  it('catches up after a blocked event loop, at most MAX_CATCH_UP_FRAMES at once', async () => {
    const ticks: number[] = [];
    const clock = new CaptureClock((tick) => ticks.push(tick.index));
    clock.start();
    const until = performance.now() + 75;
    while (performance.now() < until) {
      // Busy: the 20 ms timer cannot fire.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.stop();
    assert.deepEqual(ticks.slice(0, 3), [0, 1, 2], `${ticks.join(',')}`);
    assert.equal(clock.skipped, 0);
  });
});

describe('node audio: LocalAudio', () => {
  const packetBytes = (seq: number): Uint8Array =>
    encodeVoicePacket(
      { voice: true, level: 20, seq, position: seq * 960, samples: 960, captureTs: 1000 + seq },
      new Uint8Array([0xf8, 0xff, 0xfe]),
    );

  it('sends tone frames on the capture clock, nothing while muted, again after unmute', async () => {
    const sent: OutgoingVoice[] = [];
    const audio = new LocalAudio({
      source: parseAudioSource('tone:440'),
      logger: silentLogger,
      send: (packet) => sent.push(packet),
    });
    await audio.init();
    audio.start();
    await waitUntil(() => sent.length >= 5);
    audio.setMuted(true);
    const atMute = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sent.length, atMute);
    const unmutedAt = Date.now();
    audio.setMuted(false);
    await waitUntil(() => sent.length > atMute);
    const first = sent[atMute];
    assert.ok(first);
    // The first packet after unmute is the frame in progress or the next one.
    assert.ok(first.captureTs >= unmutedAt - 2 * FRAME_MS, `${first.captureTs - unmutedAt}`);
    for (let i = 1; i < sent.length; i++) {
      assert.equal((sent[i]?.position ?? 0) > (sent[i - 1]?.position ?? 0), true);
    }
    assert.ok(sent.every((p) => p.voice && Math.abs(p.level - 15) <= 1 && p.samples === 960));
    audio.close();
    audio.close();
  });

  it('forwards page packets only for source ui; counts and reports malformed ones', async () => {
    const sent: OutgoingVoice[] = [];
    const errors: string[] = [];
    const audio = new LocalAudio({
      source: parseAudioSource('none'),
      logger: silentLogger,
      send: (packet) => sent.push(packet),
    });
    audio.on('error', (err) => errors.push(err.code));
    audio.pushUiPacket(packetBytes(1));
    assert.equal(sent.length, 0);
    await audio.setSource(parseAudioSource('ui'));
    audio.pushUiPacket(packetBytes(2));
    audio.pushUiPacket(new Uint8Array([9, 9, 9]));
    audio.pushUiPacket(new Uint8Array(0));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.captureTs, 1002);
    assert.equal('seq' in (sent[0] ?? {}), false);
    assert.deepEqual(audio.stats, { sent: 1, rejectedUiPackets: 2, ignoredUiPackets: 1 });
    assert.deepEqual(errors, ['ERR_BAD_MESSAGE']);
    audio.close();
  });

  it('keeps its source when a file cannot be read', async () => {
    const audio = new LocalAudio({
      source: parseAudioSource('tone:300'),
      logger: silentLogger,
      send: () => undefined,
    });
    await assert.rejects(audio.setSource(parseAudioSource('file:/nonexistent/x.wav')));
    assert.equal(audio.settings.source, 'tone:300');
    audio.close();
  });
});

describe('node audio: recorder', () => {
  it('decodes packets, conceals a gap, keeps silence, and stops at the length asked', () => {
    const encoder = new OpusEncoder();
    const recorder = new AudioRecorder({ peer: 'p', seconds: 0.5, path: 'x.wav' });
    const frames = tone(440, 30);
    let complete = false;
    frames.forEach((frame, i) => {
      const header = {
        voice: true,
        level: 15,
        seq: i,
        position: i * 960,
        samples: 960,
        captureTs: i * 20,
      };
      const payload = encoder.encode(frame);
      if (i === 12) complete = recorder.push({ kind: 'conceal', samples: 960 });
      else if (i === 20) complete = recorder.push({ kind: 'silence', samples: 960 });
      else complete = recorder.push({ kind: 'packet', header, payload });
    });
    encoder.close();
    assert.equal(complete, true);
    assert.equal(recorder.seconds, 0.5);
    const pcm = recorder.pcm;
    assert.equal(pcm.length, 24_000);
    const concealed = pcm.subarray(12 * 960, 13 * 960);
    assert.ok(rmsDb(concealed) > TONE_RMS_DBFS - 10, `concealed at ${rmsDb(concealed)} dB`);
    assert.equal(rmsDb(pcm.subarray(20 * 960, 21 * 960)), -Infinity);
    recorder.push({ kind: 'silence', samples: 960 });
    assert.equal(recorder.pcm.length, 24_000);
    recorder.close();
  });

  it('conceals (and counts) a packet libopus rejects', () => {
    const recorder = new AudioRecorder({ peer: 'p', seconds: 1, path: 'x.wav' });
    const header = { voice: true, level: 15, seq: 0, position: 0, samples: 960, captureTs: 0 };
    recorder.push({ kind: 'packet', header, payload: new Uint8Array([0xff, 0xff, 0xff]) });
    assert.equal(recorder.undecodable, 1);
    assert.equal(recorder.pcm.length, 960);
    recorder.close();
  });
});

async function waitUntil(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
