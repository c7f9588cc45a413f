/**
 * What the voice benchmark reads off running nodes: their audio `stats` figures, the CPU time
 * of their processes and the bytes their hosts put on the wire.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  memberAudioStatsViewSchema,
  sendingAudioStatsViewSchema,
  type MemberAudioStatsView,
  type SendingAudioStatsView,
} from '../../protocol/api.js';
import type { HeadlessNode, NodeEvent } from '../helpers/json-lines-process.js';
import type { TestHost } from '../helpers/netns/hosts.js';
import { ip } from '../helpers/netns/processes.js';

/** `from`'s voice as `event` (a `stats` event) shows it, checked against the API's schema. */
export function memberAudio(event: NodeEvent, from: string): MemberAudioStatsView | undefined {
  const members = Array.isArray(event.members) ? (event.members as unknown[]) : [];
  const member = members.find(
    (m): m is { peer: string; audio: unknown } =>
      typeof m === 'object' && m !== null && (m as { peer?: unknown }).peer === from,
  );
  return member ? memberAudioStatsViewSchema.parse(member.audio) : undefined;
}

export function sendingAudio(event: NodeEvent): SendingAudioStatsView {
  return sendingAudioStatsViewSchema.parse((event.sending as { audio?: unknown } | null)?.audio);
}

/** The `stats` events `node` emits from now on, `count` of them (one a second). */
export async function nextStats(
  node: HeadlessNode,
  count: number,
  timeoutMs = 10_000,
): Promise<NodeEvent[]> {
  const stats: NodeEvent[] = [];
  while (stats.length < count) stats.push(await node.waitForNext('stats', undefined, timeoutMs));
  return stats;
}

/** Waits until `at` plays `from`'s voice with a delay figure (the first ones come in after 2 s). */
export async function waitForVoice(
  at: HeadlessNode,
  from: HeadlessNode,
  timeoutMs = 30_000,
): Promise<void> {
  await at.waitForNext(
    'stats',
    (e) => {
      const audio = memberAudio(e, from.id);
      return audio !== undefined && audio.packets > 50 && audio.delayP95Ms !== null;
    },
    timeoutMs,
  );
}

let clockTicks: number | undefined;

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

/**
 * CPU seconds (user + system, every thread) the process has used so far. A namespaced node
 * keeps its pid: network namespaces do not change the pid namespace, and `ip netns exec`
 * execs the command in place.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`cannot read utime/stime from /proc/${pid}/stat: ${stat}`);
  }
  return (utime + stime) / ticksPerSecond();
}

/** Bytes sent so far on `host`'s eth0 (IP headers and everything above them). */
export async function txBytes(host: TestHost): Promise<number> {
  const { stdout } = await ip(['-n', host.name, '-s', '-j', 'link', 'show', 'eth0']);
  const [link] = JSON.parse(stdout) as { stats64?: { tx?: { bytes?: number } } }[];
  const bytes = link?.stats64?.tx?.bytes;
  if (typeof bytes !== 'number') throw new Error(`no tx byte counter for eth0 in ${host.name}`);
  return bytes;
}

/** CPU and wire use of some nodes over one window. */
export interface WindowUse {
  /** Per node: percent of one core used during the window. */
  cpuPercent: number[];
  /** Per host: bytes per second sent on eth0. */
  txBytesPerSecond: number[];
}

/** Measures `nodes` (and their hosts) while `during` runs; `during` sets the window's length. */
export async function measureWindow(
  nodes: HeadlessNode[],
  during: () => Promise<void>,
): Promise<WindowUse> {
  const hosts = nodes.map((node) => {
    if (!node.host) throw new Error(`${node.name} does not run in a namespace`);
    return node.host;
  });
  const txBefore = await Promise.all(hosts.map(txBytes));
  const cpuBefore = nodes.map((node) => cpuSeconds(node.pid));
  const startedAt = performance.now();
  await during();
  const cpuAfter = nodes.map((node) => cpuSeconds(node.pid));
  const seconds = (performance.now() - startedAt) / 1000;
  const txAfter = await Promise.all(hosts.map(txBytes));
  return {
    cpuPercent: cpuAfter.map((after, i) => (100 * (after - (cpuBefore[i] ?? 0))) / seconds),
    txBytesPerSecond: txAfter.map((after, i) => (after - (txBefore[i] ?? 0)) / seconds),
  };
}
