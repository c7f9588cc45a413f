/**
 * `npm run soak -- --minutes 30`: a long three-member call in network namespaces, sampled
 * every 10 s, judged against the goals in report.ts. Exit status: 0 every goal met, 1 a goal
 * missed or the soak broke off, 2 bad usage, 130 interrupted. Namespaces and processes are
 * removed on every way out (exit-cleanup handles signals and crashes).
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import type { SoakOptions } from './options.js';
import { SOAK, SOAK_USAGE, parseSoakArgs } from './options.js';
import type { Sample, SoakResult } from './report.js';
import { allMet, evaluate, goalsTable, timeSeriesTable } from './report.js';
import { SoakCall } from './soak-call.js';

/** A rejoin is only started if it can finish (leave, out, back) before the soak ends. */
const REJOIN_ROOM_MS = 45_000;
const DRAIN_MS = 10_000;

function say(line: string): void {
  process.stderr.write(`soak: ${line}\n`);
}

/** Sleeps until `at` (epoch ms) unless the soak was stopped; false when it was. */
async function until(at: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(Math.max(0, at - Date.now()), undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

class Soak {
  readonly samples: Sample[] = [];
  readonly rejoins = { attempted: 0, completed: 0 };
  readonly #stop = new AbortController();

  constructor(
    readonly call: SoakCall,
    readonly options: SoakOptions,
  ) {}

  /** Runs the three loops (chat, samples, rejoins) until the end or the first failure. */
  async run(): Promise<void> {
    const durationMs = this.options.minutes * 60_000;
    await this.call.resetHealth();
    const t0 = Date.now();
    const end = t0 + durationMs;
    const loops = [this.#chatLoop(t0, end), this.#sampleLoop(t0, end), this.#rejoinLoop(t0, end)];
    try {
      await Promise.all(loops);
    } finally {
      this.#stop.abort();
      await Promise.allSettled(loops);
    }
    await this.call.drain(DRAIN_MS);
  }

  async #chatLoop(t0: number, end: number): Promise<void> {
    for (let at = t0; at < end; at += SOAK.chatEveryMs) {
      if (!(await until(at, this.#stop.signal))) return;
      this.call.scan();
      this.call.chat();
    }
  }

  async #sampleLoop(t0: number, end: number): Promise<void> {
    for (let at = t0; at <= end; at += SOAK.sampleEveryMs) {
      if (!(await until(at, this.#stop.signal))) return;
      const sample = await this.call.sample(at - t0);
      this.samples.push(sample);
      const figures = sample.members.map(
        (m) =>
          `${m.name} ${((m.node?.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB/${m.node?.fds ?? '—'} fds`,
      );
      say(
        `t=${Math.round(sample.tMs / 1000)} s ${figures.join(', ')}, fps ${sample.minFps ?? '—'}`,
      );
    }
  }

  /** The leaver goes and comes back every cycle, first at half a cycle. */
  async #rejoinLoop(t0: number, end: number): Promise<void> {
    const cycleMs = this.options.rejoinEverySeconds * 1000;
    for (let at = t0 + cycleMs / 2; at + REJOIN_ROOM_MS < end; at += cycleMs) {
      if (!(await until(at, this.#stop.signal))) return;
      this.rejoins.attempted++;
      say(`${this.call.leaver.name} leaves and is invited back`);
      if (await this.call.rejoin()) this.rejoins.completed++;
    }
  }

  result(): SoakResult {
    return {
      options: this.options,
      samples: this.samples,
      chat: this.call.ledger.totals(),
      rejoins: this.rejoins,
      streamFps: this.call.streamFps,
    };
  }
}

function report(soak: Soak, note: string): boolean {
  const { options } = soak;
  const result = soak.result();
  const goals = evaluate(result);
  const command = `npm run soak -- --minutes ${options.minutes} --resolution ${options.resolution} --fps ${options.fps} --rejoin-every ${options.rejoinEverySeconds}`;
  const errors = soak.call.errors;
  process.stdout.write(
    [
      `command: ${command}`,
      `machine: ${process.arch}, node ${process.version}, ${cpus().length} cores, load average ${(loadavg()[2] ?? 0).toFixed(1)} over 15 min`,
      `video: test pattern ${options.resolution}@${options.fps}`,
      note,
      '',
      'MB, fds: node+capture process; p99: event-loop delay (ms) over the 10 s before the',
      "sample, of each node and of the soak runner itself (a control for the machine's load)",
      timeSeriesTable(result.samples),
      '',
      goalsTable(goals),
      ...(errors.length > 0
        ? ['', `error events (${errors.length}):`, ...errors.slice(0, 20)]
        : []),
      '',
    ].join('\n'),
  );
  return allMet(goals);
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakArgs(process.argv.slice(2));
  } catch (error: unknown) {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\n\n${SOAK_USAGE}\n`,
    );
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run soak must run as root: it builds network namespaces\n');
    return 2;
  }
  const network = await TestNetwork.create(3, { label: 'soak' });
  let soak: Soak | undefined;
  // Ctrl+C: exit-cleanup has already killed the nodes and removed the namespaces (its
  // handler runs first); show what was measured so far.
  const interrupted = (): void => {
    if (soak) report(soak, 'INTERRUPTED: figures up to the interruption');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    say(`starting 3 nodes, ${options.resolution}@${options.fps}, ${options.minutes} min`);
    soak = new Soak(await SoakCall.start(network, options), options);
    let note = '';
    try {
      await soak.run();
    } catch (error: unknown) {
      note = `BROKE OFF: ${error instanceof Error ? error.message : String(error)}`;
    }
    const met = report(soak, note);
    return note === '' && met ? 0 : 1;
  } finally {
    soak?.call.close();
    await stopAllNodes();
    await network.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
