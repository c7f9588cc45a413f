/**
 * Voice (issue #10): mouth-to-ear latency, CPU and bytes per voice stream, between two real
 * headless nodes in network namespaces.
 *
 * Latency is the nodes' own figure: stats `audio.delayP50Ms/delayP95Ms` per member, playout
 * time minus the capture timestamp (corrected to the receiver's clock), over the last 2 s.
 * Each node reports it once a second; a run pools the per-second figures of both directions
 * and reports the median of the p50s, the median of the p95s (the goal applies to this one)
 * and the worst p95.
 */
import { join } from 'node:path';
import { HeadlessNode, stopAllNodes, type NodeEvent } from '../helpers/json-lines-process.js';
import type { TestHost } from '../helpers/netns/hosts.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import type { BenchRow } from './table.js';
import { median } from './table.js';
import {
  measureWindow,
  memberAudio,
  nextStats,
  sendingAudio,
  waitForVoice,
  type WindowUse,
} from './voice-probes.js';

/** Per-second stats events a latency run collects from each node. */
const LATENCY_SECONDS = 10;
/** Stats events to let the jitter buffers settle after a change (impairment, source). */
const SETTLE_SECONDS = 3;
/** Length of one CPU window, in stats events of the sending node. */
const CPU_SECONDS = 8;
/** Windows without and with a voice stream alternate this many times, so drift cancels. */
const CPU_ROUNDS = 2;
const GOAL_P95_MS = 60;
/**
 * "20 ms of jitter": nfq-delay (or netem) holds every packet leaving each host for a uniform
 * 0–20 ms (10 ± 10 ms), which the jitter buffer measures as about 20 ms of jitter.
 */
const JITTER = { delayMs: 10, jitterMs: 10 };
const TONE_A = 'tone:440';
const TONE_B = 'tone:660';

interface PairOptions {
  video: boolean;
  audio: [string, string];
}

/** Two nodes on hosts 0 and 1 in one call, A the inviter, sending what `options` says. */
async function startPair(
  network: TestNetwork,
  options: PairOptions,
): Promise<[HeadlessNode, HeadlessNode]> {
  const start = (i: 0 | 1): Promise<HeadlessNode> =>
    HeadlessNode.start({
      name: `voice-${i}`,
      host: network.hosts[i],
      autoAccept: i === 1,
      // No camera exists in a namespace: video is the test pattern, or off.
      extraArgs: [...patternVideo('640x480', 30), '--audio-source', options.audio[i]],
    });
  const [a, b] = await Promise.all([start(0), start(1)]);
  if (!options.video) for (const node of [a, b]) node.send({ cmd: 'video', enabled: false });
  await a.waitFor('peer-up', (e) => e.peer === b.id, 15_000);
  a.send({ cmd: 'invite', peer: b.id });
  // Both list the other in their stats: the call is up on both sides.
  await Promise.all([
    a.waitFor('stats', (e) => memberAudio(e, b.id) !== undefined, 30_000),
    b.waitFor('stats', (e) => memberAudio(e, a.id) !== undefined, 30_000),
  ]);
  return [a, b];
}

interface LatencyFigures {
  p50: number[];
  p95: number[];
  jitter: number[];
  buffer: number[];
  videoFps: number[];
  /** Per direction over the window: packets lost, and ms concealed, per second. */
  lostPerSecond: number[];
  concealedMsPerSecond: number[];
}

/** `at`'s per-second figures for `from`'s voice, added to `figures`. */
function addDirection(
  figures: LatencyFigures,
  stats: NodeEvent[],
  from: HeadlessNode,
  at: HeadlessNode,
): void {
  const audio = stats.map((e) => {
    const view = memberAudio(e, from.id);
    if (!view) throw new Error(`${at.name} lost ${from.name} during the latency run`);
    return view;
  });
  for (const view of audio) {
    // A null delay means nothing played in the last 2 s: the stream stopped. Fail, don't skip.
    if (view.delayP50Ms === null || view.delayP95Ms === null) {
      throw new Error(`${at.name} played nothing from ${from.name} for 2 s during the run`);
    }
    figures.p50.push(view.delayP50Ms);
    figures.p95.push(view.delayP95Ms);
    figures.jitter.push(view.jitterMs);
    figures.buffer.push(view.bufferMs);
  }
  for (const e of stats) {
    const member = (e.members as { peer: string; fps?: unknown }[]).find((m) => m.peer === from.id);
    if (typeof member?.fps === 'number') figures.videoFps.push(member.fps);
  }
  const first = audio[0];
  const last = audio[audio.length - 1];
  if (!first || !last || audio.length < 2) return;
  const seconds = audio.length - 1;
  figures.lostPerSecond.push((last.lost - first.lost) / seconds);
  figures.concealedMsPerSecond.push((last.concealedMs - first.concealedMs) / seconds);
}

async function latencyRun(
  network: TestNetwork,
  options: PairOptions & { jitter: boolean },
): Promise<LatencyFigures> {
  const [a, b] = await startPair(network, options);
  const hosts = [a.host, b.host].filter((h): h is TestHost => h !== undefined);
  try {
    await Promise.all([waitForVoice(b, a), waitForVoice(a, b)]);
    if (options.jitter) await Promise.all(hosts.map((host) => host.setNetem(JITTER)));
    await Promise.all([nextStats(a, SETTLE_SECONDS), nextStats(b, SETTLE_SECONDS)]);
    const [atA, atB] = await Promise.all([
      nextStats(a, LATENCY_SECONDS),
      nextStats(b, LATENCY_SECONDS),
    ]);
    const figures: LatencyFigures = {
      p50: [],
      p95: [],
      jitter: [],
      buffer: [],
      videoFps: [],
      lostPerSecond: [],
      concealedMsPerSecond: [],
    };
    addDirection(figures, atB, a, b);
    addDirection(figures, atA, b, a);
    return figures;
  } finally {
    if (options.jitter) await Promise.all(hosts.map((host) => host.setNetem(null)));
    await stopAllNodes();
  }
}

function latencyRows(
  label: string,
  figures: LatencyFigures,
  { goal, video }: { goal: boolean; video: boolean },
): BenchRow[] {
  const p95 = median(figures.p95);
  const rows = [
    row(`${label}: mouth-to-ear p50 (median of 1-s p50s, both ways)`, median(figures.p50), 'ms'),
    goal
      ? row(
          `${label}: mouth-to-ear p95 (median of 1-s p95s)`,
          p95,
          'ms',
          `≤ ${GOAL_P95_MS}`,
          p95 <= GOAL_P95_MS,
        )
      : row(`${label}: mouth-to-ear p95 (median of 1-s p95s)`, p95, 'ms'),
    row(`${label}: mouth-to-ear p95, worst second`, Math.max(...figures.p95), 'ms'),
    row(`${label}: arrival jitter (median)`, median(figures.jitter), 'ms'),
    row(`${label}: jitter buffer (median)`, median(figures.buffer), 'ms'),
    row(`${label}: lost, worst direction`, Math.max(...figures.lostPerSecond), 'packets/s'),
    row(`${label}: concealed, worst direction`, Math.max(...figures.concealedMsPerSecond), 'ms/s'),
  ];
  // Shown for runs with video, so a run whose video never flowed cannot pass for one that had.
  if (video) {
    rows.push(row(`${label}: video alongside (median)`, median(figures.videoFps), 'fps'));
  }
  return rows;
}

/** Sets A's audio source and waits until B sees the change (packets flowing or stopped). */
async function switchSource(a: HeadlessNode, b: HeadlessNode, source: string): Promise<void> {
  a.send({ cmd: 'set-audio-source', source });
  const settings = await a.waitForNext('audio-settings', undefined, 10_000);
  if (settings.source !== source) {
    throw new Error(`${a.name}: asked for audio source ${source}, got ${String(settings.source)}`);
  }
  const [before, , after] = await nextStats(b, 3);
  const packets = (e: NodeEvent | undefined): number => (e && memberAudio(e, a.id)?.packets) ?? 0;
  const flowing = packets(after) > packets(before);
  if (flowing !== (source !== 'none')) {
    throw new Error(
      `${b.name}: voice from ${a.name} is ${flowing ? '' : 'not '}flowing after ${source}`,
    );
  }
}

interface CpuFigures {
  idle: WindowUse[];
  tone: WindowUse[];
  record: WindowUse;
  sentKbps: number[];
}

/**
 * One call without video, both sources `none`; A's source alternates between none and a tone.
 * A's extra CPU is what sending one stream costs, B's what receiving it costs (sealed-packet
 * opening and the jitter buffer: the node decodes only for a recorder); a last window has B
 * record A (`record-audio`), adding the Opus decoding and concealment a player does.
 */
async function cpuRun(network: TestNetwork): Promise<CpuFigures> {
  const [a, b] = await startPair(network, { video: false, audio: ['none', 'none'] });
  try {
    const idle: WindowUse[] = [];
    const tone: WindowUse[] = [];
    const sentKbps: number[] = [];
    await nextStats(a, SETTLE_SECONDS);
    for (let round = 0; round < CPU_ROUNDS; round++) {
      idle.push(await measureWindow([a, b], () => nextStats(a, CPU_SECONDS).then(() => {})));
      await switchSource(a, b, TONE_A);
      tone.push(
        await measureWindow([a, b], async () => {
          const stats = await nextStats(a, CPU_SECONDS);
          sentKbps.push(...stats.map((e) => sendingAudio(e).kbps));
        }),
      );
      if (round < CPU_ROUNDS - 1) await switchSource(a, b, 'none');
    }
    const path = join(b.dataDir, 'voice-bench.wav');
    const record = await measureWindow([a, b], async () => {
      b.send({ cmd: 'record-audio', peer: a.id, seconds: CPU_SECONDS, path });
      await b.waitFor('audio-recorded', (e) => e.path === path, CPU_SECONDS * 1000 + 30_000);
    });
    return { idle, tone, record, sentKbps };
  } finally {
    await stopAllNodes();
  }
}

const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;
/** Mean over windows of one node's (or host's) figure. */
const meanOf = (windows: WindowUse[], pick: (w: WindowUse) => number | undefined): number =>
  mean(windows.map((w) => pick(w) ?? Number.NaN));

function cpuRows(figures: CpuFigures): BenchRow[] {
  const idleA = meanOf(figures.idle, (w) => w.cpuPercent[0]);
  const idleB = meanOf(figures.idle, (w) => w.cpuPercent[1]);
  const sendCpu = meanOf(figures.tone, (w) => w.cpuPercent[0]) - idleA;
  const receiveCpu = meanOf(figures.tone, (w) => w.cpuPercent[1]) - idleB;
  const decodeCpu = (figures.record.cpuPercent[1] ?? Number.NaN) - idleB;
  const wire =
    meanOf(figures.tone, (w) => w.txBytesPerSecond[0]) -
    meanOf(figures.idle, (w) => w.txBytesPerSecond[0]);
  return [
    row('CPU per stream sent (encode + seal), of one core', sendCpu, '%'),
    row('CPU per stream received (open + jitter buffer), of one core', receiveCpu, '%'),
    row('CPU per stream received and decoded (record-audio), of one core', decodeCpu, '%'),
    row('CPU of an idle call without video or voice, of one core', idleA, '%'),
    row(
      'bytes per stream, sender stats (sending.audio.kbps / 8)',
      median(figures.sentKbps) / 8,
      'kB/s',
    ),
    row('bytes per stream on the wire (eth0, IP and up)', wire / 1000, 'kB/s'),
  ];
}

export async function voiceBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const network = await TestNetwork.create(2, { label: 'bench-voice' });
  try {
    const audio: [string, string] = [TONE_A, TONE_B];
    const plain = await latencyRun(network, { video: false, audio, jitter: false });
    rows.push(...latencyRows('no jitter, video off', plain, { goal: true, video: false }));
    const withVideo = await latencyRun(network, { video: true, audio, jitter: false });
    rows.push(
      ...latencyRows('no jitter, video 640×480@30', withVideo, { goal: true, video: true }),
    );
    const jittered = await latencyRun(network, { video: false, audio, jitter: true });
    rows.push(
      ...latencyRows('0–20 ms jitter each way, video off', jittered, { goal: false, video: false }),
    );
    rows.push(...cpuRows(await cpuRun(network)));
  } finally {
    await stopAllNodes();
    await network.close();
  }
  return rows;
}

function row(
  metric: string,
  value: number,
  unit: string,
  target = '',
  met: boolean | null = null,
): BenchRow {
  return { suite: 'voice', metric, value, unit, target, met };
}
