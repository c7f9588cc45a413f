/**
 * The `codec` rows that need the whole pipeline: headless nodes in network namespaces
 * sending the natural clip (`--source file:`), JPEG and then H.264, figures from
 * their `frame` and `stats` events. A headless node does not decode, so "ready" is the
 * moment a receiver has a decodable frame for its front end.
 */
import { parseHeadlessArgs } from '../../main/cli-args.js';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { HeadlessNode as Node, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { codecRow, pendingRow } from './codec-rows.js';
import type { BenchRow } from './table.js';
import { median, percentile } from './table.js';

const MEASURE_MS = 10_000;
const WARMUP_FRAMES = 60;

/** The H.264 path is there when a node accepts `--codec h264` (issue #11's flag). */
function h264PathPresent(): boolean {
  try {
    parseHeadlessArgs(['--codec', 'h264']);
    return true;
  } catch {
    return false;
  }
}

type Codec = 'jpeg' | 'h264';
const CODEC_NAMES: Record<Codec, string> = { jpeg: 'JPEG', h264: 'H.264' };

/** JPEG (today's path) and H.264 side by side; H.264's rows wait until a node has the flag. */
export async function naturalPipelineRows(clip: { path: string }): Promise<BenchRow[]> {
  const h264 = h264PathPresent();
  const rows: BenchRow[] = [];
  for (const codec of ['jpeg', 'h264'] as const) {
    if (codec === 'h264' && !h264) {
      rows.push(
        pendingRow('H.264 path not on main: capture → ready p95, 2 nodes, natural clip'),
        pendingRow('H.264 path not on main: 4-member mesh with natural video'),
      );
      continue;
    }
    const args = [
      ...['--source', `file:${clip.path}`, '--resolution', '640x480', '--fps', '30'],
      // Before issue #11's flag exists, JPEG is the only path and takes no flag.
      ...(h264 ? ['--codec', codec] : []),
      '--frame-events',
    ];
    rows.push(...(await codecCallRows(CODEC_NAMES[codec], args)));
  }
  return rows;
}

async function codecCallRows(codec: string, args: string[]): Promise<BenchRow[]> {
  const network = await TestNetwork.create(4, { label: 'bench-codec' });
  try {
    const rows = await twoNodeRows(network, codec, args);
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
  /** Sum over every receiver of the kb/s its stats events showed per member, averaged. */
  wireKbps: number;
}

async function measure(nodes: HeadlessNode[]): Promise<Window> {
  const start = nodes.map((node) => node.events.length);
  const startedAt = Date.now();
  const last = nodes[nodes.length - 1];
  if (!last) throw new Error('no nodes');
  await last.waitFor('frame', () => Date.now() - startedAt >= MEASURE_MS, MEASURE_MS + 10_000);
  const elapsed = Date.now() - startedAt;
  const fps: number[] = [];
  const latencies: number[] = [];
  let wireKbps = 0;
  nodes.forEach((viewer, i) => {
    const events = viewer.events.slice(start[i]);
    for (const sender of nodes) {
      if (sender === viewer) continue;
      const frames = events.filter((e) => e.event === 'frame' && e.peer === sender.id);
      fps.push((frames.length * 1000) / elapsed);
      for (const e of frames) if (typeof e.latencyMs === 'number') latencies.push(e.latencyMs);
    }
    const received = events
      .filter((e) => e.event === 'stats')
      .map((e) => (e.members as { kbps: number }[]).reduce((sum, m) => sum + m.kbps, 0));
    if (received.length > 0) wireKbps += received.reduce((a, b) => a + b, 0) / received.length;
  });
  return { fps, latencies, wireKbps };
}

async function twoNodeRows(
  network: TestNetwork,
  codec: string,
  args: string[],
): Promise<BenchRow[]> {
  const nodes = await call(network, 2, args);
  const { fps, latencies } = await measure(nodes);
  const p95 = percentile(latencies, 95);
  const name = `${codec} 2 nodes, natural 640×480@30`;
  return [
    codecRow(`${name}: capture → ready p95`, p95, 'ms', '≤ 50', p95 <= 50),
    codecRow(`${name}: delivered`, Math.min(...fps), 'fps', '≥ 29', Math.min(...fps) >= 29),
  ];
}

async function meshRows(network: TestNetwork, codec: string, args: string[]): Promise<BenchRow[]> {
  const nodes = await call(network, 4, args);
  const { fps, latencies, wireKbps } = await measure(nodes);
  const slowest = Math.min(...fps);
  const p95 = percentile(latencies, 95);
  const totalMbps = wireKbps / 1000;
  const name = `${codec} 4-member mesh, natural 640×480@30`;
  return [
    codecRow(`${name}: slowest of 12 streams`, slowest, 'fps', '≥ 29', slowest >= 29),
    codecRow(`${name}: median stream`, median(fps), 'fps'),
    codecRow(`${name}: latency p95, all streams`, p95, 'ms', '≤ 50', p95 <= 50),
    codecRow(`${name}: on the wire, total`, totalMbps, 'Mb/s', '≤ 5', totalMbps <= 5),
  ];
}
