import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LineCollector } from '../helpers/lines.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import type { TestHost } from '../helpers/netns/hosts.js';

const PEER_SCRIPT = fileURLToPath(new URL('../helpers/voice-link-peer.js', import.meta.url));
/** The bottleneck: a 3 Mbit/s uplink with a deep (bufferbloated) queue, as home routers have. */
const RATE = '3mbit';
const QUEUE_LATENCY = '300ms';
const SECONDS = 8;

interface Peer {
  child: ChildProcess;
  lines: LineCollector;
  send: (message: unknown) => void;
  /** Where this peer's link signals go (the other peer). */
  onSignal: (signal: unknown) => void;
}

function startPeer(host: TestHost, setup: object): Peer {
  const child = host.spawn(process.execPath, [PEER_SCRIPT], {
    env: { ...process.env, VOICE_PEER: JSON.stringify(setup) },
  });
  const stdout = child.stdout;
  const stdin = child.stdin;
  if (!stdout || !stdin) throw new Error('piped stdio expected');
  child.stderr?.on('data', (data: Buffer) => process.stderr.write(data));
  const peer: Peer = {
    child,
    lines: new LineCollector(stdout, `voice peer in ${host.name}`),
    send: (message) => stdin.write(`${JSON.stringify(message)}\n`),
    onSignal: () => undefined,
  };
  createInterface({ input: stdout }).on('line', (line) => {
    const { signal } = parsed<{ signal?: unknown }>(line);
    if (signal) peer.onSignal(signal);
  });
  return peer;
}

function parsed<T>(line: string): T {
  return JSON.parse(line) as T;
}

/**
 * "Video must never delay voice": a sender pushes video at a rate far above its 3 Mbit/s
 * uplink while it talks; every voice packet must arrive, quickly.
 */
describe('voice before video on a congested link', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;

  after(async () => {
    await network?.close();
  });

  it('voice packets all arrive with p95 one-way delay < 60 ms while video saturates the link', async () => {
    network = await TestNetwork.create(2, { label: 'voice-priority' });
    const [hostA, hostB] = network.hosts;
    assert.ok(hostA && hostB);
    const [k1, k2] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    const a = startPeer(hostA, { self: 1, peer: 2, offerer: true, sendKey: k1, receiveKey: k2 });
    const b = startPeer(hostB, { self: 2, peer: 1, offerer: false, sendKey: k2, receiveKey: k1 });
    a.onSignal = (signal) => b.send({ signal });
    b.onSignal = (signal) => a.send({ signal });
    await Promise.all([
      a.lines.waitFor((l) => l.includes('"joined"'), 20_000, 'Ada joined'),
      b.lines.waitFor((l) => l.includes('"joined"'), 20_000, 'Bob joined'),
    ]);
    await hostA.run('tc', [
      ...['qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf'],
      ...['rate', RATE, 'burst', '32kb', 'latency', QUEUE_LATENCY],
    ]);
    // 40 KB frames at 30 fps: ~10 Mbit/s offered to a 3 Mbit/s link.
    a.send({ start: { fps: 30, frameBytes: 40_000, seconds: SECONDS } });
    const done = parsed<{ done: { voiceSent: number; framesSent: number } }>(
      await a.lines.waitFor((l) => l.includes('"done"'), (SECONDS + 20) * 1000, 'sender done'),
    ).done;
    // Reports once every packet is in, or after 1 s (later than that is as good as lost).
    b.send({ report: { expect: done.voiceSent, waitMs: 1000 } });
    const report = parsed<{
      report: { voiceReceived: number; delayP50Ms: number; delayP95Ms: number; frames: number };
    }>(await b.lines.waitFor((l) => l.includes('"report"'), 10_000, 'receiver report')).report;
    console.log('      voice priority:', JSON.stringify({ ...done, ...report }));
    assert.ok(report.frames > 0, 'video flowed too');
    assert.equal(report.voiceReceived, done.voiceSent, 'every voice packet arrived');
    assert.ok(report.delayP95Ms < 60, `voice p95 one-way delay ${report.delayP95Ms} ms`);
  });
});
