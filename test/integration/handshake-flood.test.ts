import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode, repoRoot, stopAllNodes } from '../helpers/json-lines-process.js';
import { LineCollector } from '../helpers/lines.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';

const ATTACKERS = 8;
/** 8 × 150 = 1,200 hellos a second, split between the two members. */
const RATE_PER_ATTACKER = 150;
/** Seconds of call measured under the flood. */
const WINDOW = 10;

interface FloodReport {
  sent: number;
  replies: number;
  cookies: number;
  aborted: number;
}

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) * 10;
}

function counters(node: HeadlessNode): Record<string, number> {
  const line = node.stderrLines.filter((l) => l.includes('"signaling counters"')).at(-1);
  return line ? (JSON.parse(line) as Record<string, number>) : {};
}

/**
 * Eight hosts flood both members of a running call with well-formed hellos and hold
 * connections that never finish, while a newcomer joins: the call must not notice.
 */
describe('a handshake flood from eight hosts', function () {
  this.timeout(180_000);
  let network: TestNetwork;
  let a: HeadlessNode;
  let b: HeadlessNode;
  let c: HeadlessNode;
  const floods: { child: ChildProcess; out: LineCollector }[] = [];

  before(async () => {
    network = await TestNetwork.create(3 + ATTACKERS, { label: 'flood' });
    const [hostA, hostB, hostC] = network.hosts;
    const video = [...patternVideo('320x240', 30)];
    [a, b, c] = await Promise.all([
      HeadlessNode.start({ name: 'Ada', host: hostA, extraArgs: video }),
      HeadlessNode.start({ name: 'Bob', host: hostB, autoAccept: true, extraArgs: video }),
      HeadlessNode.start({
        name: 'Cy',
        host: hostC,
        autoAccept: true,
        extraArgs: patternVideo('320x240', 5),
      }),
    ]);
    await a.waitFor('peer-up', (e) => e.peer === b.id, 10_000);
    await a.waitFor('peer-up', (e) => e.peer === c.id, 10_000);
    a.send({ cmd: 'invite', peer: b.id });
    await a.waitFor('member-joined', (e) => e.peer === b.id, 15_000);
  });

  after(async () => {
    for (const { child } of floods) child.kill('SIGTERM');
    await stopAllNodes();
    await network?.close();
  });

  function startFlood(): void {
    const script = path.join(repoRoot(), 'dist', 'test', 'helpers', 'handshake-flood.js');
    const targets = [a, b].map((node) => `${node.host?.address}:${node.port}`).join(',');
    for (const host of network.hosts.slice(3)) {
      const child = host.spawn(process.execPath, [
        script,
        '--targets',
        targets,
        '--rate',
        String(RATE_PER_ATTACKER),
        '--hold',
        '3',
      ]);
      child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      floods.push({ child, out: new LineCollector(child.stdout!, `flood ${host.address}`) });
    }
  }

  function lastFloodReport({ out }: { out: LineCollector }): FloodReport {
    const line = out.lines.filter((l) => l.includes('"flood"')).at(-1);
    return line
      ? (JSON.parse(line) as FloodReport)
      : { sent: 0, replies: 0, cookies: 0, aborted: 0 };
  }

  function connectedIn(joined: NodeEvent, peer: string): boolean {
    const members = joined.members as { peer: string; state: string }[];
    return members.some((m) => m.peer === peer && m.state === 'connected');
  }

  function fpsOf(stats: NodeEvent, peer: string): number {
    const member = (stats.members as { peer: string; fps: number }[]).find((m) => m.peer === peer);
    return member?.fps ?? 0;
  }

  it('keeps the call at ≥25 fps with chat flowing, and lets a newcomer in', async () => {
    startFlood();
    // Under way: every attacker has sent for a second.
    await Promise.all(
      floods.map(({ out }) =>
        out.waitFor(
          (l) => l.includes('"flood"') && !l.includes('"sent":0'),
          20_000,
          'flood report',
        ),
      ),
    );
    const cpuFrom = [a, b].map((node) => cpuMs(node.pid));
    const statsFrom = a.count('stats');
    const statsFromB = b.count('stats');
    a.send({ cmd: 'invite', peer: c.id });

    const chatDelays: number[] = [];
    for (let second = 0; second < WINDOW; second++) {
      // One chat line each way per stats tick (once a second), each awaited at the other end.
      await a.waitFor('stats', () => a.count('stats') > statsFrom + second, 5000);
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const text = `${from.name} ${second}`;
        const sentAt = Date.now();
        from.send({ cmd: 'chat', text });
        await to.waitFor('chat', (e) => e.text === text, 2000);
        chatDelays.push(Date.now() - sentAt);
      }
    }
    // The newcomer is in once both members have it and it has both (the inviter comes with
    // its call-joined, the other through its own join under the flood).
    const joined = await Promise.all(
      [
        a.waitFor('member-joined', (e) => e.peer === c.id, 20_000),
        b.waitFor('member-joined', (e) => e.peer === c.id, 20_000),
        // The newcomer links with both at once: whichever link opens first brings its
        // call-joined, listing the other member as it is then.
        Promise.any([
          c.waitFor('member-joined', (e) => e.peer === b.id, 20_000),
          c.waitFor('call-joined', (e) => connectedIn(e, b.id), 20_000),
        ]),
      ].map((wait) =>
        wait.then(
          () => true,
          () => false,
        ),
      ),
    );
    const sent = floods.map(lastFloodReport).reduce((sum, r) => sum + r.sent, 0);
    const window = [
      ...a.events
        .filter((e) => e.event === 'stats')
        .slice(statsFrom)
        .map((s) => fpsOf(s, b.id)),
      ...b.events
        .filter((e) => e.event === 'stats')
        .slice(statsFromB)
        .map((s) => fpsOf(s, a.id)),
    ];
    const mean = window.reduce((x, y) => x + y, 0) / window.length;
    const cpu = [a, b].map((node, i) => cpuMs(node.pid) - (cpuFrom[i] ?? 0));
    const summary = { sent, fps: window, chatDelays, cpu, a: counters(a), b: counters(b) };
    console.log(`      flood: ${JSON.stringify(summary)}`);
    assert.deepEqual(joined, [true, true, true], 'the newcomer is in');
    assert.ok(
      sent >= (ATTACKERS * RATE_PER_ATTACKER * (WINDOW - 2)) / 2,
      `flood rate: ${sent} hellos`,
    );
    assert.ok(mean >= 25, `mean fps ${mean.toFixed(1)} ≥ 25`);
    assert.ok(Math.min(...window) >= 20, `every second ≥ 20 fps: ${window.join(', ')}`);
    assert.equal(a.count('member-left'), 0, 'nobody dropped');
    assert.equal(b.count('member-left'), 0, 'nobody dropped');

    // The defences were what held: both members asked for cookies and refused hellos.
    for (const node of [a, b]) {
      await node.waitForStderr(/"signaling counters".*"cookied":[1-9]/, 10_000);
      const seen = counters(node);
      assert.ok((seen.rateLimited ?? 0) > 0, `${node.name} rate-limited: ${JSON.stringify(seen)}`);
    }
  });
});
