/** The soak's samples, judged against its goals, as two tables. */
import { median } from '../bench/table.js';
import type { ChatTotals } from './chat-ledger.js';
import type { SoakOptions } from './options.js';
import { SOAK } from './options.js';
import type { ProcessFigures } from './probes.js';

export interface MemberSample {
  name: string;
  inCall: boolean;
  node: ProcessFigures | undefined;
  /** The node's children (its capture process), summed; undefined when it has none. */
  capture: ProcessFigures | undefined;
  /** From the node's own `health` answer; undefined when it did not answer. */
  delayP99Ms: number | undefined;
}

export interface Sample {
  tMs: number;
  members: MemberSample[];
  /** The slowest stream between members in the call, from their latest `stats`. */
  minFps: number | null;
  chat: ChatTotals;
  /**
   * The soak runner's own event-loop delay p99 over the same window: a control. When it is
   * as late as the nodes, the machine was busy, not the nodes.
   */
  controlP99Ms: number;
}

export interface SoakResult {
  options: SoakOptions;
  samples: Sample[];
  chat: ChatTotals;
  rejoins: { attempted: number; completed: number };
  /** Per stream ("viewer ← sender"), every fps `stats` showed while both were in the call. */
  streamFps: Map<string, number[]>;
}

export interface Goal {
  goal: string;
  who: string;
  value: string;
  target: string;
  /** null: the run was too short to tell. */
  met: boolean | null;
}

const MB = 1024 * 1024;
const mb = (bytes: number): string => (bytes / MB).toFixed(0);
const fixed = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '—');

type ProcessKind = 'node' | 'capture';

function series(samples: Sample[], name: string, kind: ProcessKind): [number, ProcessFigures][] {
  const points: [number, ProcessFigures][] = [];
  for (const sample of samples) {
    const figures = sample.members.find((m) => m.name === name)?.[kind];
    if (figures) points.push([sample.tMs, figures]);
  }
  return points;
}

/**
 * The figures of the first cycle after the warm-up and of the last cycle (the same cycle in
 * a run of less than two): growth is judged between them, not between single samples.
 */
function firstAndLastCycle(
  points: [number, ProcessFigures][],
  cycleMs: number,
): { first: ProcessFigures[]; last: ProcessFigures[] } | undefined {
  const end = points.at(-1)?.[0] ?? 0;
  if (end <= SOAK.warmUpMs) return undefined;
  const within = (from: number, to: number): ProcessFigures[] =>
    points.filter(([t]) => t >= from && t <= to).map(([, figures]) => figures);
  return {
    first: within(SOAK.warmUpMs, SOAK.warmUpMs + cycleMs),
    last: within(Math.max(SOAK.warmUpMs, end - cycleMs), end),
  };
}

/** Garbage collection moves RSS by a tenth within seconds: medians of cycles, compared. */
function rssGoal(samples: Sample[], name: string, kind: ProcessKind, cycleMs: number): Goal {
  const target = `≤ ${SOAK.maxRssGrowth * 100}% after ${SOAK.warmUpMs / 60_000} min`;
  const goal = { goal: 'RSS growth, median of a cycle', who: `${name} ${kind}`, target };
  const cycles = firstAndLastCycle(series(samples, name, kind), cycleMs);
  if (!cycles) return { ...goal, value: 'run too short', met: null };
  const first = median(cycles.first.map((f) => f.rssBytes));
  const last = median(cycles.last.map((f) => f.rssBytes));
  const growth = last / first - 1;
  return {
    ...goal,
    value: `${(growth * 100).toFixed(1)}% (${mb(first)} → ${mb(last)} MB)`,
    met: growth <= SOAK.maxRssGrowth,
  };
}

/** Descriptors come and go with each leave and rejoin: the most open per cycle, compared. */
function fdGoal(samples: Sample[], name: string, kind: ProcessKind, cycleMs: number): Goal {
  const goal = { goal: 'open descriptors, most in a cycle', who: `${name} ${kind}` };
  const cycles = firstAndLastCycle(series(samples, name, kind), cycleMs);
  if (!cycles) return { ...goal, target: 'no growth', value: 'run too short', met: null };
  const first = Math.max(...cycles.first.map((f) => f.fds));
  const last = Math.max(...cycles.last.map((f) => f.fds));
  return { ...goal, target: 'no growth', value: `${first} → ${last}`, met: last <= first };
}

function delayGoal(all: Sample[], name: string): Goal {
  // The first sample asks nothing: its window would be a few milliseconds long.
  const samples = all.filter((sample) => sample.tMs > 0);
  const answers = samples.map((s) => s.members.find((m) => m.name === name)?.delayP99Ms);
  const silent = answers.filter((a) => a === undefined).length;
  let worst: Sample | undefined;
  let worstMs = 0;
  samples.forEach((sample, i) => {
    const ms = answers[i];
    if (ms !== undefined && ms >= worstMs) [worst, worstMs] = [sample, ms];
  });
  const when = worst
    ? ` at t=${Math.round(worst.tMs / 1000)} s (soak runner ${fixed(worst.controlP99Ms)} ms)`
    : '';
  const limit = SOAK.maxEventLoopDelayP99Ms;
  return {
    goal: 'event-loop delay p99, worst 10 s',
    who: `${name} node`,
    value: `${fixed(worstMs)} ms${when}${silent > 0 ? `, ${silent} samples unanswered` : ''}`,
    target: `≤ ${limit} ms`,
    met: silent === 0 && worstMs <= limit,
  };
}

export function evaluate(result: SoakResult): Goal[] {
  const { samples, chat, rejoins, options } = result;
  const names = samples[0]?.members.map((m) => m.name) ?? [];
  const cycleMs = options.rejoinEverySeconds * 1000;
  const goals: Goal[] = [];
  for (const name of names) {
    for (const kind of ['node', 'capture'] as const) {
      goals.push(rssGoal(samples, name, kind, cycleMs));
    }
  }
  for (const name of names) {
    for (const kind of ['node', 'capture'] as const) {
      goals.push(fdGoal(samples, name, kind, cycleMs));
    }
  }
  for (const name of names) goals.push(delayGoal(samples, name));
  goals.push({
    goal: 'chat messages',
    who: 'all',
    value: `${chat.sent} sent, ${chat.delivered} of ${chat.owed} delivered, ${chat.synced} synced`,
    target: 'none lost',
    met: chat.sent > 0 && chat.missing === 0,
  });
  goals.push({
    goal: 'leave and rejoin',
    who: names.at(-1) ?? '',
    value: `${rejoins.completed} of ${rejoins.attempted}`,
    target: 'all back',
    met: rejoins.attempted === 0 ? null : rejoins.completed === rejoins.attempted,
  });
  const medians = [...result.streamFps].map(([stream, fps]) => [stream, median(fps)] as const);
  const slowest = medians.reduce<readonly [string, number] | undefined>(
    (worst, entry) => (worst === undefined || entry[1] < worst[1] ? entry : worst),
    undefined,
  );
  const floor = options.fps * 0.8;
  goals.push({
    goal: 'video fps, median of the slowest stream',
    who: slowest?.[0] ?? '',
    value: `${fixed(slowest?.[1] ?? Number.NaN)} (${medians.length} streams)`,
    target: `≥ ${fixed(floor)}`,
    met: slowest !== undefined && medians.length === 6 && slowest[1] >= floor,
  });
  return goals;
}

export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((_, i) =>
    Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One row per sample: per member RSS and descriptors (node+capture), event-loop p99. */
export function timeSeriesTable(samples: Sample[]): string {
  const names = samples[0]?.members.map((m) => m.name) ?? [];
  const header = ['t s', 'soak p99', ...names.flatMap((n) => [`${n} MB`, `${n} fds`, `${n} p99`])];
  header.push('fps min', 'chat sent', 'chat pending');
  const pair = (a: number | undefined, b: number | undefined): string => `${a ?? '—'}+${b ?? '—'}`;
  const rows = samples.map((sample) => [
    String(Math.round(sample.tMs / 1000)),
    fixed(sample.controlP99Ms),
    ...sample.members.flatMap((m) => [
      pair(m.node && Number(mb(m.node.rssBytes)), m.capture && Number(mb(m.capture.rssBytes))),
      pair(m.node?.fds, m.capture?.fds),
      `${fixed(m.delayP99Ms ?? Number.NaN)}${m.inCall ? '' : ' (out)'}`,
    ]),
    fixed(sample.minFps ?? Number.NaN),
    String(sample.chat.sent),
    String(sample.chat.missing),
  ]);
  return renderTable(header, rows);
}

export function goalsTable(goals: Goal[]): string {
  const met = (m: boolean | null): string => (m === null ? 'n/a' : m ? 'yes' : 'NO');
  return renderTable(
    ['goal', 'who', 'value', 'target', 'met'],
    goals.map((g) => [g.goal, g.who, g.value, g.target, met(g.met)]),
  );
}

/** Every goal that could be judged was met (a run too short to judge one fails nothing). */
export function allMet(goals: Goal[]): boolean {
  return goals.every((goal) => goal.met !== false);
}
