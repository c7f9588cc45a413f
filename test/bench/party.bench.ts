/**
 * Issue #12's `party` suite. A 100 MB H.264/AAC film (made once with Debian's ffmpeg and kept
 * in ~/.cache/meshcall): from `party-share` to the first frame playing in two Chromium
 * viewers, and the drift between them over 60 s (the UI test's set-up: two app nodes watched
 * by their pages, a headless streamer); then four headless members share it: the streamer's
 * upload as a multiple of the file, and the piece throughput per link.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { startPartyCall } from '../helpers/party-call.js';
import { measureDrift, percentileOf, waitPlayingPast } from '../ui/party-probes.js';
import { ffmpeg, startWatchParty } from '../ui/party-setup.js';
import type { BenchRow } from './table.js';

/** A 100 MB film at a usual 720p streaming rate (2.5 Mb/s video): about five minutes. */
const FILM_SECONDS = 320;
const DRIFT_SECONDS = 60;

function row(metric: string, value: number, unit: string, target = '', met: boolean | null = null) {
  return { suite: 'party', metric, value, unit, target, met } satisfies BenchRow;
}

/** ~100 MB: 1280×720 at 2.5 Mb/s of video plus AAC, for FILM_SECONDS. */
async function film(): Promise<string> {
  const dir = join(homedir(), '.cache', 'meshcall');
  const file = join(dir, 'party-100mb-720p.mp4');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.partial.mp4`;
  await ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', String(FILM_SECONDS)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2500k', '-maxrate', '2500k'],
    ...['-bufsize', '5000k', '-g', '60', '-c:a', 'aac', '-movflags', '+faststart', partial],
  ]);
  renameSync(partial, file);
  return file;
}

export async function partyBench(): Promise<BenchRow[]> {
  const file = await film();
  const megabytes = statSync(file).size / 1e6;
  process.stderr.write(`bench: party: ${megabytes.toFixed(0)} MB film\n`);
  return [...(await viewerRows(file)), ...(await distributionRows(file))];
}

async function viewerRows(file: string): Promise<BenchRow[]> {
  const party = await startWatchParty('bench-party');
  try {
    const { bob, pageA, pageC } = party;
    const started = performance.now();
    bob.send({ cmd: 'party-share', path: file });
    const firstFrame = await Promise.all(
      [pageA, pageC].map(async (page) => {
        await waitPlayingPast(page, 0.001, 30_000);
        return performance.now() - started;
      }),
    );
    const slowest = Math.max(...firstFrame);
    await Promise.all([waitPlayingPast(pageA, 2), waitPlayingPast(pageC, 2)]);
    const drifts = await measureDrift(pageA, pageC, 2 + DRIFT_SECONDS);
    const p95 = percentileOf(drifts, 95);
    const name = '2 Chromium viewers, 100 MB film';
    return [
      row(
        `${name}: share → first frame playing, slower viewer`,
        slowest,
        'ms',
        '≤ 2000',
        slowest <= 2000,
      ),
      row(
        `${name}: drift between viewers over ${DRIFT_SECONDS} s, p50`,
        percentileOf(drifts, 50),
        'ms',
      ),
      row(
        `${name}: drift between viewers over ${DRIFT_SECONDS} s, p95`,
        p95,
        'ms',
        '≤ 50',
        p95 <= 50,
      ),
      row(`${name}: drift between viewers over ${DRIFT_SECONDS} s, max`, Math.max(...drifts), 'ms'),
    ];
  } finally {
    await party.close();
  }
}

async function distributionRows(file: string): Promise<BenchRow[]> {
  const network = await TestNetwork.create(4, { label: 'bench-party4' });
  try {
    const nodes = await startPartyCall(network, ['Ada', 'Bob', 'Cy', 'Dee']);
    const [streamer, ...members] = nodes as [HeadlessNode, ...HeadlessNode[]];
    const completes = members.map((node) => node.waitFor('party-complete', undefined, 300_000));
    const started = performance.now();
    streamer.send({ cmd: 'party-share', path: file });
    const done = await Promise.all(completes);
    const seconds = (performance.now() - started) / 1000;
    const party = String(done[0]?.party);
    const finals = await Promise.all(
      members.map((node) =>
        node.waitFor('party-progress', (e) => e.party === party && e.have === e.total, 10_000),
      ),
    );
    const size = statSync(file).size;
    const received = finals.map((e) => e.received as Record<string, number>);
    const fromStreamer = received.reduce((sum, r) => sum + (r[streamer.id] ?? 0), 0);
    const links = received.reduce(
      (sum, r) => sum + Object.values(r).filter((b) => b > 0).length,
      0,
    );
    const total = received.reduce((sum, r) => sum + Object.values(r).reduce((a, b) => a + b, 0), 0);
    const upload = fromStreamer / size;
    const name = '4 members, 100 MB film';
    return [
      row(`${name}: every member holds it after`, seconds, 's'),
      row(`${name}: streamer upload, × the file`, upload, '×', '≤ 2', upload <= 2),
      row(
        `${name}: piece throughput per link that carried pieces`,
        (total * 8) / 1e6 / seconds / links,
        'Mb/s',
      ),
    ];
  } finally {
    await stopAllNodes();
    await network.close();
  }
}
