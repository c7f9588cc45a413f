import type { IntervalHistogram } from 'node:perf_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EventBody } from './api-reports.js';

/** The monitor's timer period; a delay is how much later than this a tick came. */
const RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

const round = (value: number): number => Math.round(value * 10) / 10;

/**
 * The node's own health, for soak runs and anyone watching a long call: event-loop delay
 * over the window since the previous report, and memory now. Everything the node does runs
 * on one loop (architecture: Concurrency), so a blocked loop is what makes heartbeats late
 * and members drop; measuring it from inside sees what no outside probe can.
 */
export class ProcessHealth {
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  #windowStart = performance.now();

  constructor() {
    this.#delay.enable();
  }

  /** Figures since the previous report (or since start), then starts a new window. */
  report(): EventBody<'health'> {
    const now = performance.now();
    const delay = this.#delay;
    // Node records whole tick intervals; the delay is the part beyond the period.
    const late = (ns: number): number =>
      delay.count === 0 ? 0 : round(Math.max(0, ns / NS_PER_MS - RESOLUTION_MS));
    const memory = process.memoryUsage();
    const body: EventBody<'health'> = {
      windowMs: Math.round(now - this.#windowStart),
      eventLoopSamples: delay.count,
      eventLoopDelayP50Ms: late(delay.percentile(50)),
      eventLoopDelayP99Ms: late(delay.percentile(99)),
      eventLoopDelayMaxMs: late(delay.max),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    };
    // Node skips the first tick after a reset, so a stall in this very task is not counted:
    // one tick in a window of hundreds.
    delay.reset();
    this.#windowStart = now;
    return body;
  }

  close(): void {
    this.#delay.disable();
  }
}
