/** The node's own health report: event-loop delay per window, memory now. */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { ProcessHealth } from '../../main/health.js';

/** Keeps the event loop busy, as a long synchronous task would. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('ProcessHealth: event-loop delay and memory', () => {
  let health: ProcessHealth;
  beforeEach(() => {
    health = new ProcessHealth();
  });
  afterEach(() => health.close());

  it('sees a stalled loop in the window that held the stall, and only there', async () => {
    health.report();
    // The stall runs in a task of its own (a tick after the report), so the monitor sees it.
    await delay(30);
    stall(300);
    await delay(30);
    const stalled = health.report();
    assert.ok(stalled.eventLoopDelayMaxMs >= 250, JSON.stringify(stalled));
    assert.ok(stalled.eventLoopSamples > 0);

    await delay(300);
    const calm = health.report();
    assert.ok(calm.eventLoopDelayMaxMs < 250, JSON.stringify(calm));
    assert.ok(calm.windowMs >= 290 && calm.windowMs < 1000, JSON.stringify(calm));
    // One sample per 10 ms tick, give or take the machine's load.
    assert.ok(calm.eventLoopSamples >= 5 && calm.eventLoopSamples <= 31, JSON.stringify(calm));
  });

  it('reports the delay beyond the timer period, never below zero, and memory', async () => {
    health.report();
    await delay(100);
    const quiet = health.report();
    assert.ok(
      quiet.eventLoopDelayP50Ms >= 0 && quiet.eventLoopDelayP50Ms < 10,
      JSON.stringify(quiet),
    );
    assert.ok(quiet.eventLoopDelayP99Ms <= quiet.eventLoopDelayMaxMs);
    assert.ok(quiet.rssBytes > quiet.heapUsedBytes && quiet.heapUsedBytes > 0);
  });

  it('reports zeros, not garbage, for a window with no tick', () => {
    health.report();
    const empty = health.report();
    assert.equal(empty.eventLoopSamples, 0);
    assert.equal(empty.eventLoopDelayP99Ms, 0);
    assert.equal(empty.eventLoopDelayMaxMs, 0);
  });
});
