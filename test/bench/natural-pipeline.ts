/**
 * The `codec` rows that need the whole pipeline: headless nodes in network namespaces
 * sending the natural clip (`--source file:`), JPEG and then H.264, figures from
 * their `frame` and `stats` events. A headless node does not decode, so what a node
 * measures is "ready": the moment a receiver has a decodable frame for its front end.
 * "Decoded" adds the p95 of decoding one 640×480 frame of the same clip in this process
 * (node-av's H.264 decoder, OpenCV's JPEG decoder): a sum of p95s, so a bound, not a sample.
 */
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { HeadlessNode as Node, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { codecRow } from './codec-rows.js';
import { lossRecoveryRows } from './loss-recovery.js';
import type { BenchRow } from './table.js';
import { median, percentile } from './table.js';

const MEASURE_MS = 10_000;
const WARMUP_FRAMES = 60;

type Codec = 'jpeg' | 'h264';
const CODEC_NAMES: Record<Codec, string> = { jpeg: 'JPEG', h264: 'H.264' };

/** JPEG (`--codec jpeg`, the fallback) and H.264 (the default) side by side. */
export async function naturalPipelineRows(
  clip: { path: string },
  decodeP95: Record<Codec, number>,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const codec of ['jpeg', 'h264'] as const) {
    const args = [
      ...['--source', `file:${clip.path}`, '--resolution', '640x480', '--fps', '30'],
      ...['--codec', codec, '--frame-events'],
    ];
    rows.push(...(await codecCallRows(CODEC_NAMES[codec], args, decodeP95[codec])));
  }
  return rows;
}

async function codecCallRows(
  codec: string,
  args: string[],
  decodeP95: number,
): Promise<BenchRow[]> {
  const network = await TestNetwork.create(4, { label: 'bench-codec' });
  try {
    const rows = await twoNodeRows(network, codec, args, decodeP95);
    await stopAllNodes();
    return [...rows, ...(await meshRows(network, codec, args))];
  } finally {
    await stopAllNodes();
    await network.close();
  }
}

/** Starts `count` nodes, the first inviting the rest; resolves once every stream flows. */
async function call(network: TestNetwork, count: number, args: string[]): Promise<HeadlessNode[]> {
  const nodes = await Promise.all(
    network.hosts
      .slice(0, count)
      .map((host, i) =>
        Node.start({ name: `codec-${i}`, host, autoAccept: i > 0, extraArgs: args }),
      ),
  );
  const [first, ...rest] = nodes;
  if (!first) throw new Error('no nodes');
  for (const node of rest) {
    await first.waitFor('peer-up', (e) => e.peer === node.id, 10_000);
    first.send({ cmd: 'invite', peer: node.id });
  }
  for (const viewer of nodes) {
    for (const sender of nodes) {
      if (sender === viewer) continue;
      await viewer.waitFor(
        'frame',
        () => viewer.count('frame', (e) => e.peer === sender.id) >= WARMUP_FRAMES,
        30_000,
      );
    }
  }
  return nodes;
}

interface Window {
  fps: number[];
  latencies: number[];
  /** Sum over every receiver of the video kb/s (sealed chunks) its stats showed, averaged. */
  wireKbps: number;
  /** Each received stream as the receiver's last stats event saw it. */
  streams: StreamState[];
  /** Frames not decodable and keyframes asked for, over the window, all streams. */
  undecodable: number;
  keyframesRequested: number;
}

interface MemberStats {
  peer: string;
  kbps: number;
  codec: string | null;
  layer: number | null;
  width: number;
  height: number;
  undecodable: number;
  keyframesRequested: number;
}

interface StreamState {
  layer: number | null;
  size: string;
}

function statsMembers(event: Record<string, unknown>): MemberStats[] {
  return event.members as MemberStats[];
}

/** Sum of `key` over a stats event's members. */
function total(members: MemberStats[], key: 'kbps' | 'undecodable' | 'keyframesRequested'): number {
  return members.reduce((sum, m) => sum + m[key], 0);
}

async function measure(nodes: HeadlessNode[]): Promise<Window> {
  const start = nodes.map((node) => node.events.length);
  const startedAt = Date.now();
  const last = nodes[nodes.length - 1];
  if (!last) throw new Error('no nodes');
  await last.waitFor('frame', () => Date.now() - startedAt >= MEASURE_MS, MEASURE_MS + 10_000);
  const elapsed = Date.now() - startedAt;
  const window: Window = {
    fps: [],
    latencies: [],
    wireKbps: 0,
    streams: [],
    undecodable: 0,
    keyframesRequested: 0,
  };
  nodes.forEach((viewer, i) => {
    const events = viewer.events.slice(start[i]);
    for (const sender of nodes) {
      if (sender === viewer) continue;
      const frames = events.filter((e) => e.event === 'frame' && e.peer === sender.id);
      window.fps.push((frames.length * 1000) / elapsed);
      for (const e of frames) {
        if (typeof e.latencyMs === 'number') window.latencies.push(e.latencyMs);
      }
    }
    const stats = events.filter((e) => e.event === 'stats').map(statsMembers);
    const [first, latest] = [stats[0], stats[stats.length - 1]];
    if (!first || !latest) return;
    window.wireKbps += stats.reduce((sum, m) => sum + total(m, 'kbps'), 0) / stats.length;
    for (const key of ['undecodable', 'keyframesRequested'] as const) {
      window[key] += total(latest, key) - total(first, key);
    }
    for (const m of latest) {
      window.streams.push({
        layer: m.layer,
        size: `${m.codec} L${m.layer} ${m.width}×${m.height}`,
      });
    }
  });
  process.stderr.write(
    `bench: codec: ${nodes.length} nodes, streams as received: ${window.streams.map((s) => s.size).join(', ')}; ` +
      `undecodable ${window.undecodable}, keyframes asked ${window.keyframesRequested}\n`,
  );
  return window;
}

async function twoNodeRows(
  network: TestNetwork,
  codec: string,
  args: string[],
  decodeP95: number,
): Promise<BenchRow[]> {
  const nodes = await call(network, 2, args);
  const { fps, latencies } = await measure(nodes);
  const p95 = percentile(latencies, 95);
  const decoded = p95 + decodeP95;
  const name = `${codec} 2 nodes, natural 640×480@30`;
  const loss = codec === CODEC_NAMES.h264 ? await lossRecoveryRows(network, nodes) : [];
  return [
    codecRow(`${name}: capture → ready p95 (headless: no decode)`, p95, 'ms'),
    codecRow(
      `${name}: capture → decoded p95, bound (ready p95 + decode p95)`,
      decoded,
      'ms',
      '≤ 50',
      decoded <= 50,
    ),
    codecRow(`${name}: delivered`, Math.min(...fps), 'fps', '≥ 29', Math.min(...fps) >= 29),
    ...loss,
  ];
}

async function meshRows(network: TestNetwork, codec: string, args: string[]): Promise<BenchRow[]> {
  const nodes = await call(network, 4, args);
  const { fps, latencies, wireKbps, streams, undecodable } = await measure(nodes);
  const slowest = Math.min(...fps);
  const p95 = percentile(latencies, 95);
  const totalMbps = wireKbps / 1000;
  const name = `${codec} 4-member mesh, natural 640×480@30`;
  return [
    codecRow(`${name}: slowest of 12 streams`, slowest, 'fps', '≥ 29', slowest >= 29),
    codecRow(`${name}: median stream`, median(fps), 'fps'),
    codecRow(`${name}: latency p95, all streams`, p95, 'ms', '≤ 50', p95 <= 50),
    codecRow(`${name}: video on the wire, total`, totalMbps, 'Mb/s', '≤ 5', totalMbps <= 5),
    codecRow(`${name}: video on the wire, per stream`, wireKbps / fps.length, 'kb/s'),
    codecRow(
      `${name}: streams on the top layer (of ${streams.length})`,
      streams.filter((s) => s.layer === 0).length,
      '',
    ),
    codecRow(`${name}: undecodable frames, all streams`, undecodable, ''),
  ];
}
