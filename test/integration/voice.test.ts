import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import wavefile from 'wavefile';
import { TONE_RMS_DBFS } from '../../main/audio/sources.js';
import { dominantFrequency, gaps, rmsDb } from '../helpers/audio-analysis.js';
import type { NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';

interface AudioStats {
  packets: number;
  lost: number;
  concealedMs: number;
}

const TONES = { Ada: 440, Bob: 660, Cy: 880 } as const;
const RECORD_SECONDS = 3;
/** Generous for a loaded 2-core machine: recording takes RECORD_SECONDS plus the write. */
const RECORD_TIMEOUT_MS = 30_000;

async function readWav(file: string): Promise<{ pcm: Float32Array; rate: number; bits: number }> {
  const wav = new wavefile.WaveFile(await readFile(file));
  const fmt = wav.fmt as { sampleRate: number; bitsPerSample: number; numChannels: number };
  assert.equal(fmt.numChannels, 1);
  const { sampleRate: rate, bitsPerSample: bits } = fmt;
  wav.toBitDepth('32f');
  return { pcm: wav.getSamples(false, Float32Array) as unknown as Float32Array, rate, bits };
}

function memberAudio(event: NodeEvent, peer: string): AudioStats | undefined {
  const members = event.members as { peer: string; audio: AudioStats }[];
  return members.find((m) => m.peer === peer)?.audio;
}

function sentPackets(event: NodeEvent): number {
  return (event.sending as { audio: { packets: number } }).audio.packets;
}

/** Real headless nodes in network namespaces, each sending its own tone. */
describe('voice between headless nodes', function () {
  this.timeout(180_000);
  let network: TestNetwork;
  let dir: string;
  let a: HeadlessNode;
  let b: HeadlessNode;
  let c: HeadlessNode;
  let recordings = 0;

  /** `recorder` records `peer` for `seconds`; resolves with the WAV's samples. */
  async function record(
    recorder: HeadlessNode,
    peer: HeadlessNode,
    seconds = RECORD_SECONDS,
  ): Promise<Float32Array> {
    const file = path.join(dir, `rec-${recordings++}-${recorder.name}-${peer.name}.wav`);
    recorder.send({ cmd: 'record-audio', peer: peer.id, seconds, path: file });
    const done = await recorder.waitFor(
      'audio-recorded',
      (e) => e.path === file,
      RECORD_TIMEOUT_MS + seconds * 1000,
    );
    assert.equal(done.peer, peer.id);
    assert.equal(done.seconds, seconds);
    assert.equal(done.endedEarly, undefined);
    const wav = await readWav(file);
    assert.equal(wav.rate, 48_000);
    assert.equal(wav.bits, 16);
    assert.equal(wav.pcm.length, seconds * 48_000);
    return wav.pcm;
  }

  function assertTone(pcm: Float32Array, hz: number, what: string): void {
    const measured = dominantFrequency(pcm);
    assert.ok(Math.abs(measured - hz) <= 2, `${what}: dominant ${measured.toFixed(2)} Hz`);
  }

  /** Playing voice: both have sent for a while and each plays the other's packets. */
  async function waitForVoice(from: HeadlessNode, at: HeadlessNode): Promise<void> {
    await at.waitForNext(
      'stats',
      (e) => (memberAudio(e, from.id)?.packets ?? 0) > 25,
      RECORD_TIMEOUT_MS,
    );
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshcall-voice-'));
    network = await TestNetwork.create(3, { label: 'voice' });
    const [hostA, hostB, hostC] = network.hosts;
    const start = (name: keyof typeof TONES, host: (typeof network.hosts)[number] | undefined) =>
      HeadlessNode.start({
        name,
        host,
        // Pattern video (no camera in a namespace); --frame-events adds `voice-packet` events.
        extraArgs: [
          '--audio-source',
          `tone:${TONES[name]}`,
          '--source',
          'pattern',
          '--frame-events',
        ],
      });
    [a, b, c] = await Promise.all([start('Ada', hostA), start('Bob', hostB), start('Cy', hostC)]);
    for (const node of [a, b, c]) {
      node.send({ cmd: 'video', enabled: false });
    }
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('A sends tone:440 and B tone:660: each records the other at its pitch and level', async () => {
    await a.waitFor('peer-up', (e) => e.peer === b.id, 15_000);
    a.send({ cmd: 'invite', peer: b.id });
    const invite = await b.waitFor('invite', (e) => e.from === a.id);
    b.send({ cmd: 'accept', call: invite.call });
    await Promise.all([waitForVoice(a, b), waitForVoice(b, a)]);

    const [atB, atA] = await Promise.all([record(b, a), record(a, b)]);
    assertTone(atB, TONES.Ada, 'A at B');
    assertTone(atA, TONES.Bob, 'B at A');
    for (const [pcm, what] of [
      [atB, 'A at B'],
      [atA, 'B at A'],
    ] as const) {
      const level = rmsDb(pcm);
      assert.ok(
        Math.abs(level - TONE_RMS_DBFS) <= 3,
        `${what}: ${level.toFixed(2)} dBFS, sent ${TONE_RMS_DBFS.toFixed(2)}`,
      );
      assert.deepEqual(gaps(pcm, 60), [], `${what}: gaps`);
      console.log(
        `      ${what}: ${dominantFrequency(pcm).toFixed(2)} Hz, ${level.toFixed(2)} dBFS`,
      );
    }
  });

  it('under 10 % random loss the recordings have no gap over 60 ms, and stats count the loss', async () => {
    // A's and B's hosts: loss on each one's egress, so on both directions.
    const hosts = network.hosts.slice(0, 2);
    await Promise.all(hosts.map((host) => host.setNetem({ lossPercent: 10 })));
    try {
      const [atB, atA] = await Promise.all([record(b, a), record(a, b)]);
      for (const [pcm, what, hz] of [
        [atB, 'A at B', TONES.Ada],
        [atA, 'B at A', TONES.Bob],
      ] as const) {
        assert.deepEqual(gaps(pcm, 60), [], `${what}: gaps`);
        assertTone(pcm, hz, what);
      }
      for (const [node, peer] of [
        [b, a],
        [a, b],
      ] as const) {
        const stats = await node.waitForNext(
          'stats',
          (e) => {
            const audio = memberAudio(e, peer.id);
            return audio !== undefined && audio.lost > 0 && audio.concealedMs > 0;
          },
          RECORD_TIMEOUT_MS,
        );
        const audio = memberAudio(stats, peer.id);
        console.log(`      ${node.name} from ${peer.name} after loss: ${JSON.stringify(audio)}`);
      }
    } finally {
      await Promise.all(hosts.map((host) => host.setNetem(null)));
    }
  });

  it('mute stops the packets, every member sees it; unmute resumes them within 100 ms', async () => {
    a.send({ cmd: 'mute', muted: true });
    const mutedAtB = await b.waitFor('mute-state', (e) => e.peer === a.id && e.muted === true);
    assert.ok(mutedAtB);
    await a.waitFor('mute-state', (e) => e.peer === a.id && e.muted === true);
    // The sender's counter stands still: two stats reports after the mute, same count.
    const first = await a.waitForNext(
      'stats',
      (e) => (e.sending as { audio: { muted: boolean } }).audio.muted,
    );
    const second = await a.waitForNext('stats');
    assert.equal(sentPackets(second), sentPackets(first));
    // Nothing arrives any more at B: no voice packet from A after B's next two stats.
    await b.waitForNext('stats');
    const quietFrom = b.events.length;
    await b.waitForNext('stats');
    const late = b.events
      .slice(quietFrom)
      .filter((e) => e.event === 'voice-packet' && e.peer === a.id);
    assert.deepEqual(late, []);

    // Our clock and theirs are the same kernel clock (namespaces share it), so the time we
    // send the command is an upper bound on when A handled it.
    const unmutedAt = Date.now();
    a.send({ cmd: 'mute', muted: false });
    const [resumed] = await Promise.all([
      b.waitForNext('voice-packet', (e) => e.peer === a.id),
      b.waitForNext('mute-state', (e) => e.peer === a.id && e.muted === false),
    ]);
    const arrivalMs = (resumed.receivedAt as number) - unmutedAt;
    const captureMs = (resumed.captureTs as number) - unmutedAt;
    console.log(
      `      unmute → first packet captured +${captureMs.toFixed(1)} ms, at B +${arrivalMs.toFixed(1)} ms`,
    );
    assert.ok(arrivalMs <= 100, `first packet after unmute arrived after ${arrivalMs} ms`);
    const later = await a.waitForNext('stats');
    const again = await a.waitForNext('stats');
    assert.ok(sentPackets(again) > sentPackets(later));
  });

  it('three members: all six directions carry voice, each at its own tone', async () => {
    await a.waitFor('peer-up', (e) => e.peer === c.id, 15_000);
    a.send({ cmd: 'invite', peer: c.id });
    const invite = await c.waitFor('invite', (e) => e.from === a.id);
    c.send({ cmd: 'accept', call: invite.call });
    const nodes = [a, b, c];
    const pairs = nodes.flatMap((recorder) =>
      nodes.filter((peer) => peer !== recorder).map((peer) => [recorder, peer] as const),
    );
    await Promise.all(pairs.map(([recorder, peer]) => waitForVoice(peer, recorder)));
    const pcms = await Promise.all(pairs.map(([recorder, peer]) => record(recorder, peer, 2)));
    pairs.forEach(([recorder, peer], i) => {
      const pcm = pcms[i];
      assert.ok(pcm);
      assertTone(pcm, TONES[peer.name as keyof typeof TONES], `${peer.name} at ${recorder.name}`);
    });
  });

  it('a recording ends early when its member leaves; bad recordings are errors', async () => {
    a.send({ cmd: 'record-audio', peer: a.id, seconds: 1, path: path.join(dir, 'self.wav') });
    await a.waitForNext('error', (e) => e.code === 'ERR_UNKNOWN_PEER');
    const unwritable = path.join(dir, 'missing-folder', 'x.wav');
    a.send({ cmd: 'record-audio', peer: b.id, seconds: 0.2, path: unwritable });
    await a.waitForNext('error', (e) => e.code === 'ERR_RECORD_FAILED', RECORD_TIMEOUT_MS);

    const file = path.join(dir, 'cut.wav');
    const fromC = a.events.filter((e) => e.event === 'voice-packet' && e.peer === c.id);
    const lastSeq = (fromC[fromC.length - 1]?.seq as number | undefined) ?? 0;
    a.send({ cmd: 'record-audio', peer: c.id, seconds: 60, path: file });
    // About a second of C's voice reaches A after the command, before C goes.
    await a.waitForNext(
      'voice-packet',
      (e) => e.peer === c.id && (e.seq as number) >= lastSeq + 50,
    );
    c.send({ cmd: 'leave' });
    const done = await a.waitForNext('audio-recorded', (e) => e.path === file, RECORD_TIMEOUT_MS);
    assert.equal(done.endedEarly, 'member-left');
    const seconds = done.seconds as number;
    assert.ok(seconds > 0.5 && seconds < 60, `${seconds} s`);
    const wav = await readWav(file);
    assert.equal(wav.pcm.length, Math.round(seconds * 48_000));
  });
});
