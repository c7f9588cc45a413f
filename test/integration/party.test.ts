/**
 * Watch party state over real links: three headless nodes in network namespaces, a clip
 * made with Debian's ffmpeg. These tests follow the party state only; distribution of the
 * pieces has its own tests.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';

const run = promisify(execFile);
/** The figure for the universal remote: a command reaches every member within it. */
const REMOTE_MS = 200;

async function makeClip(file: string, seconds: number): Promise<void> {
  await run('ffmpeg', [
    ...['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine', '-t', String(seconds), '-c:v', 'libx264', '-c:a', 'aac'],
    ...['-movflags', '+faststart', file],
  ]);
}

/**
 * Sends `command` from `from` and waits for every node's party-state that carries it;
 * returns each node's latency (ms, command written → event read by the test).
 */
async function remote(
  nodes: HeadlessNode[],
  from: HeadlessNode,
  command: Record<string, unknown>,
  matches: (e: NodeEvent) => boolean,
): Promise<number[]> {
  const waits = nodes.map((node) =>
    node.waitForNext('party-state', (e) => e.updatedBy === from.id && matches(e), 10_000),
  );
  const sentAt = performance.now();
  from.send(command);
  const events = await Promise.all(waits);
  return events.map((event, i) => (nodes[i]?.arrivedAt(event) ?? Infinity) - sentAt);
}

describe('watch party state: three namespaced headless nodes', function () {
  this.timeout(120_000);
  let network: TestNetwork;
  let nodes: HeadlessNode[];
  let dir: string;
  let clip1: string;
  let clip2: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshcall-party-'));
    clip1 = path.join(dir, 'first.mp4');
    clip2 = path.join(dir, 'second.mp4');
    await Promise.all([makeClip(clip1, 10), makeClip(clip2, 6)]);
    network = await TestNetwork.create(3, { label: 'party3' });
    nodes = await Promise.all(
      ['Ada', 'Bob', 'Cy'].map((name, i) =>
        HeadlessNode.start({
          name,
          host: network.hosts[i],
          autoAccept: i > 0,
          extraArgs: patternVideo('320x240', 10),
        }),
      ),
    );
    for (const node of nodes) {
      for (const other of nodes) {
        if (other !== node) await node.waitFor('peer-up', (e) => e.peer === other.id, 10_000);
      }
    }
    const [a, b, c] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode];
    a.send({ cmd: 'invite', peer: b.id });
    await b.waitFor('call-joined');
    b.send({ cmd: 'invite', peer: c.id });
    await c.waitFor('call-joined');
    await a.waitFor('member-joined', (e) => e.peer === c.id, 15_000);
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a share starts the party on every member, playing from the start', async () => {
    const [a] = nodes as [HeadlessNode];
    const states = nodes.map((node) =>
      node.waitFor('party-state', (e) => e.title === 'first.mp4', 20_000),
    );
    a.send({ cmd: 'party-share', path: clip1 });
    for (const state of await Promise.all(states)) {
      assert.equal(state.streamer, a.id);
      assert.equal(state.paused, false);
      assert.ok(Math.abs(Number(state.duration) - 10) < 0.2, `duration ${String(state.duration)}`);
    }
    const parties = new Set((await Promise.all(states)).map((s) => s.party));
    assert.equal(parties.size, 1, 'one party everywhere');
  });

  it('universal remote: pause, seek and play from three members reach everyone within 200 ms', async () => {
    const [a, b, c] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode];
    const steps: [HeadlessNode, Record<string, unknown>, (e: NodeEvent) => boolean][] = [
      [b, { cmd: 'party-pause' }, (e) => e.paused === true],
      [c, { cmd: 'party-seek', position: 4.5 }, (e) => e.position === 4.5 && e.paused === true],
      [a, { cmd: 'party-play' }, (e) => e.paused === false],
      [b, { cmd: 'party-rate', rate: 1.5 }, (e) => e.rate === 1.5],
    ];
    for (const [from, command, matches] of steps) {
      const latencies = await remote(nodes, from, command, matches);
      const shown = latencies.map((ms) => ms.toFixed(1)).join(', ');
      console.log(`      ${String(command.cmd)} from ${from.name}: ${shown} ms`);
      for (const ms of latencies) assert.ok(ms <= REMOTE_MS, `${String(command.cmd)}: ${shown} ms`);
    }
  });

  it('two members seeking at once converge to one position on every member', async () => {
    const [a, b, c] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode];
    await remote(nodes, a, { cmd: 'party-pause' }, (e) => e.paused === true);
    // A chat after each seek on the same ordered control channel: once a member shows both
    // chats, it has taken in both seeks.
    const barriers = nodes.flatMap((node) =>
      ['seek-barrier-b', 'seek-barrier-c'].map((text) =>
        node.waitForNext('chat', (e) => e.text === text, 10_000),
      ),
    );
    b.send({ cmd: 'party-seek', position: 3 });
    c.send({ cmd: 'party-seek', position: 7 });
    b.send({ cmd: 'chat', text: 'seek-barrier-b' });
    c.send({ cmd: 'chat', text: 'seek-barrier-c' });
    await Promise.all(barriers);
    const finals = await Promise.all(
      nodes.map((node) => {
        const status = node.waitForNext('party-state');
        node.send({ cmd: 'party-status' });
        return status;
      }),
    );
    const [first] = finals;
    assert.ok(first);
    assert.ok([3, 7].includes(Number(first.position)), `position ${String(first.position)}`);
    for (const final of finals) {
      assert.equal(final.position, first.position);
      assert.equal(final.updatedBy, first.updatedBy);
      assert.equal(final.paused, true);
    }
  });

  it('takeover: a second member shares another file; the first party ends everywhere, the new one starts', async () => {
    const [a, b] = nodes as [HeadlessNode, HeadlessNode];
    a.send({ cmd: 'party-status' });
    const old = await a.waitForNext('party-state');
    const ended = nodes.map((node) =>
      node.waitForNext('party-ended', (e) => e.party === old.party, 20_000),
    );
    const started = nodes.map((node) =>
      node.waitForNext('party-state', (e) => e.title === 'second.mp4', 20_000),
    );
    b.send({ cmd: 'party-share', path: clip2 });
    for (const end of await Promise.all(ended)) assert.equal(end.reason, 'taken-over');
    const news = await Promise.all(started);
    for (const state of news) {
      assert.equal(state.streamer, b.id);
      assert.notEqual(state.party, old.party);
      assert.ok(Number(state.epoch) > Number(old.epoch), 'the epoch went up');
    }
    assert.equal(new Set(news.map((s) => s.party)).size, 1);
    const stopped = nodes.map((node) => node.waitForNext('party-ended', undefined, 10_000));
    a.send({ cmd: 'party-stop' });
    for (const end of await Promise.all(stopped)) {
      assert.equal(end.party, news[0]?.party);
      assert.equal(end.reason, 'stopped');
    }
  });
});
