/** The soak's judgement: each goal can fail, a short run judges nothing it cannot see. */
import assert from 'node:assert/strict';
import { ChatLedger } from '../soak/chat-ledger.js';
import type { SoakOptions } from '../soak/options.js';
import { parseSoakArgs } from '../soak/options.js';
import type { Goal, MemberSample, Sample, SoakResult } from '../soak/report.js';
import { allMet, evaluate, timeSeriesTable } from '../soak/report.js';

const OPTIONS: SoakOptions = {
  minutes: 5,
  resolution: '320x240',
  fps: 15,
  rejoinEverySeconds: 120,
};
const MB = 1024 * 1024;

interface Shape {
  rssMb?: (t: number) => number;
  fds?: (t: number) => number;
  p99?: (t: number) => number | undefined;
}

function member(name: string, t: number, shape: Shape): MemberSample {
  const rss = (shape.rssMb?.(t) ?? 100) * MB;
  const fds = shape.fds?.(t) ?? 30;
  return {
    name,
    inCall: true,
    node: { pid: 1, rssBytes: rss, fds },
    capture: { pid: 2, rssBytes: 200 * MB, fds: 20 },
    delayP99Ms: shape.p99 ? shape.p99(t) : 5,
  };
}

/** A soak of `minutes` sampled every 10 s; Cy follows `shape`, the others stay flat. */
function result(minutes: number, shape: Shape = {}, chat = new ChatLedger()): SoakResult {
  const samples: Sample[] = [];
  for (let t = 0; t <= minutes * 60_000; t += 10_000) {
    samples.push({
      tMs: t,
      members: [member('Ada', t, {}), member('Bob', t, {}), member('Cy', t, shape)],
      minFps: 15,
      chat: chat.totals(),
      controlP99Ms: 1,
    });
  }
  const streamFps = new Map<string, number[]>();
  for (const viewer of ['Ada', 'Bob', 'Cy']) {
    for (const sender of ['Ada', 'Bob', 'Cy']) {
      if (viewer !== sender) streamFps.set(`${viewer} ← ${sender}`, [14, 15, 15]);
    }
  }
  return {
    options: OPTIONS,
    samples,
    chat: chat.totals(),
    rejoins: { attempted: 2, completed: 2 },
    streamFps,
  };
}

function deliveredChat(): ChatLedger {
  const chat = new ChatLedger();
  chat.sent('soak Ada 1', 'Ada', ['Bob', 'Cy']);
  chat.received('Bob', 'Ada', 'soak Ada 1');
  chat.received('Cy', 'Ada', 'soak Ada 1');
  return chat;
}

function failed(goals: Goal[]): string[] {
  return goals.filter((g) => g.met === false).map((g) => `${g.goal} / ${g.who}`);
}

describe('soak: goals and chat ledger', () => {
  it('a steady run meets every goal', () => {
    const goals = evaluate(result(5, {}, deliveredChat()));
    assert.deepEqual(failed(goals), []);
    assert.ok(allMet(goals));
    assert.ok(goals.every((g) => g.met !== null));
  });

  it('fails RSS growing more than 10% after the warm-up, not before it', () => {
    const earlyGrowth = result(
      5,
      { rssMb: (t) => (t < 120_000 ? 50 + t / 2000 : 110) },
      deliveredChat(),
    );
    assert.deepEqual(failed(evaluate(earlyGrowth)), []);
    // The collector's sawtooth: a tenth up and down between samples is no growth.
    const sawtooth = result(5, { rssMb: (t) => (t % 30_000 === 0 ? 94 : 107) }, deliveredChat());
    assert.deepEqual(failed(evaluate(sawtooth)), []);
    const leak = result(5, { rssMb: (t) => 100 + t / 2000 }, deliveredChat());
    assert.deepEqual(failed(evaluate(leak)), ['RSS growth, median of a cycle / Cy node']);
  });

  it('fails descriptors that pile up, not ones that come and go with a rejoin', () => {
    const cycling = result(5, { fds: (t) => (t % 120_000 === 60_000 ? 34 : 30) }, deliveredChat());
    assert.deepEqual(failed(evaluate(cycling)), []);
    const leak = result(10, { fds: (t) => 30 + Math.floor(t / 120_000) }, deliveredChat());
    assert.deepEqual(failed(evaluate(leak)), ['open descriptors, most in a cycle / Cy node']);
  });

  it('fails one slow 10 s window, and a node that did not answer', () => {
    const slow = result(5, { p99: (t) => (t === 200_000 ? 51 : 5) }, deliveredChat());
    assert.deepEqual(failed(evaluate(slow)), ['event-loop delay p99, worst 10 s / Cy node']);
    const unasked = result(5, { p99: (t) => (t === 0 ? undefined : 5) }, deliveredChat());
    assert.deepEqual(failed(evaluate(unasked)), []);
    const silent = result(5, { p99: (t) => (t === 200_000 ? undefined : 5) }, deliveredChat());
    assert.deepEqual(failed(evaluate(silent)), ['event-loop delay p99, worst 10 s / Cy node']);
  });

  it('fails a lost chat message, a missed rejoin and a slow stream', () => {
    const chat = deliveredChat();
    chat.sent('soak Bob 2', 'Bob', ['Ada', 'Cy']);
    chat.received('Ada', 'Bob', 'soak Bob 2');
    const lost = result(5, {}, chat);
    assert.deepEqual(failed(evaluate(lost)), ['chat messages / all']);

    const stuck = { ...result(5, {}, deliveredChat()), rejoins: { attempted: 2, completed: 1 } };
    assert.deepEqual(failed(evaluate(stuck)), ['leave and rejoin / Cy']);

    const slow = result(5, {}, deliveredChat());
    slow.streamFps.set('Ada ← Cy', [3, 4, 15]);
    assert.deepEqual(failed(evaluate(slow)), [
      'video fps, median of the slowest stream / Ada ← Cy',
    ]);
    slow.streamFps.delete('Ada ← Cy');
    assert.deepEqual(failed(evaluate(slow)), [
      'video fps, median of the slowest stream / Ada ← Bob',
    ]);
  });

  it('judges nothing it cannot see in a run shorter than the warm-up', () => {
    const short = evaluate(result(1, { rssMb: (t) => 100 + t / 1000 }, deliveredChat()));
    const unjudged = short.filter((g) => g.met === null).map((g) => g.goal);
    assert.ok(
      unjudged.includes('RSS growth, median of a cycle') &&
        unjudged.includes('open descriptors, most in a cycle'),
    );
    assert.ok(allMet(short));
  });

  it('owes chat only to members in the call; a synced message is no loss', () => {
    const chat = new ChatLedger();
    chat.sent('soak Ada 1', 'Ada', ['Bob']);
    chat.received('Cy', 'Ada', 'soak Ada 1'); // Cy was out: history sync on its return
    chat.received('Bob', 'Cy', 'soak Ada 1'); // wrong author: not this message
    assert.deepEqual(chat.totals(), { sent: 1, owed: 1, delivered: 0, missing: 1, synced: 1 });
    assert.equal(chat.missing('Cy'), 0);
    chat.received('Bob', 'Ada', 'soak Ada 1');
    chat.received('Bob', 'Ada', 'soak Ada 1');
    assert.deepEqual(chat.totals(), { sent: 1, owed: 1, delivered: 1, missing: 0, synced: 1 });
    assert.throws(() => chat.sent('soak Ada 1', 'Ada', []), /sent twice/);
  });

  it('prints one row per sample with node+capture figures', () => {
    const table = timeSeriesTable(result(1).samples).split('\n');
    assert.equal(table.length, 2 + 7);
    assert.match(table[0] ?? '', /\| t s \| soak p99 \| Ada MB/);
    assert.match(table[2] ?? '', /^\| 0 +\| 1\.0 +\| 100\+200 \| 30\+20 +\| 5\.0/);
  });

  it('refuses bad options with a clear message', () => {
    assert.deepEqual(parseSoakArgs([]), { ...OPTIONS, minutes: 30 });
    assert.equal(parseSoakArgs(['--minutes', '3']).minutes, 3);
    assert.throws(() => parseSoakArgs(['--minutes', '0']), /--minutes must be a positive/);
    assert.throws(() => parseSoakArgs(['--resolution', 'big']), /--resolution must look like/);
    assert.throws(() => parseSoakArgs(['--fps', '7.5']), /--fps must be 1 to 60/);
    assert.throws(() => parseSoakArgs(['--rejoin-every', '5']), /at least 20 s/);
    assert.throws(() => parseSoakArgs(['--hours', '1']), /Unknown option/);
  });
});
