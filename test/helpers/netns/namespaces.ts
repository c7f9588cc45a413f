/**
 * Named network namespaces of this test process: which ones it owns, deleting them (also
 * synchronously, for process exit), removing leftovers of runs that died without cleaning up,
 * short-lived probe namespaces, and whether namespaces work here at all.
 *
 * Every name starts with mct-<pid>-, the pid of the owning test process, which is how leftovers
 * are recognised.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { registerExitCleanup } from '../exit-cleanup.js';
import { IP, ip, killQuietly, parsePids } from './processes.js';

export const NAMESPACE_PREFIX = 'mct-';

/** Names of namespaces this process currently owns (networks and probes). */
const ownNamespaces = new Set<string>();

/** Marks `name` as this process's own, so the leftover sweep never removes it. */
export function claimNamespace(name: string): void {
  ownNamespaces.add(name);
}

export function releaseNamespace(name: string): void {
  ownNamespaces.delete(name);
}

async function listNamespaces(): Promise<string[]> {
  const { stdout } = await ip(['netns', 'list']);
  return parseNamespaceList(stdout);
}

function parseNamespaceList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

/** Kills every process inside `name` and deletes it; synchronous, never throws. */
export function destroyNamespaceSync(name: string): void {
  try {
    const pids = execFileSync(IP, ['netns', 'pids', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    for (const pid of parsePids(pids)) killQuietly(pid, 'SIGKILL');
  } catch {
    // namespace already gone
  }
  try {
    execFileSync(IP, ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Kills every process inside `name` and deletes it; never rejects for a missing namespace. */
export async function destroyNamespace(name: string): Promise<void> {
  try {
    const { stdout } = await ip(['netns', 'pids', name]);
    for (const pid of parsePids(stdout)) killQuietly(pid, 'SIGKILL');
  } catch {
    // namespace already gone, or nothing to kill
  }
  try {
    await ip(['netns', 'del', name]);
  } catch (error: unknown) {
    const remaining = await listNamespaces().catch(() => [name]);
    if (remaining.includes(name)) throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Leftovers of crashed runs

let bootTimeMs: number | undefined;

/** Start time of `pid` in ms since the epoch, or undefined if there is no such live process. */
function processStartMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may contain spaces) start at field 3 ("state").
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const startTicks = Number(fields[19]);
  if (bootTimeMs === undefined) {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    bootTimeMs = Number(btime) * 1000;
  }
  // USER_HZ is 100 on every Linux architecture Node supports.
  return bootTimeMs + (startTicks / 100) * 1000;
}

/**
 * A namespace named mct-<pid>-... belongs to a run that is still alive if that pid exists and
 * started before the namespace was created (otherwise the pid has been reused). Anything else
 * with our prefix is a leftover.
 */
function isLeftover(name: string): boolean {
  const pid = Number(/^mct-(\d+)-/.exec(name)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return !ownNamespaces.has(name);
  const startedMs = processStartMs(pid);
  if (startedMs === undefined) return true;
  let createdMs: number;
  try {
    createdMs = statSync(`/run/netns/${name}`).mtimeMs;
  } catch {
    return false; // cannot tell; leave it alone
  }
  return startedMs > createdMs + 2_000;
}

/** Removes namespaces with our prefix whose owning test process is gone. Returns their names. */
export async function removeLeftoverNamespaces(): Promise<string[]> {
  const leftovers = (await listNamespaces()).filter(
    (name) => name.startsWith(NAMESPACE_PREFIX) && isLeftover(name),
  );
  for (const name of leftovers) await destroyNamespace(name);
  return leftovers;
}

// ---------------------------------------------------------------------------------------------
// Capability probes

let probeCounter = 0;

/** Runs `use` with a fresh empty namespace, deleted afterwards (or at process exit). */
export async function withProbeNamespace<T>(use: (name: string) => Promise<T>): Promise<T> {
  const name = `${NAMESPACE_PREFIX}${process.pid}-probe${probeCounter++}`;
  ownNamespaces.add(name);
  const unregister = registerExitCleanup(() => destroyNamespaceSync(name));
  try {
    await ip(['netns', 'add', name]);
    return await use(name);
  } finally {
    await destroyNamespace(name).catch(() => undefined);
    ownNamespaces.delete(name);
    unregister();
  }
}

export type NetnsCheck = { ok: true } | { ok: false; reason: string };
let netnsCheck: Promise<NetnsCheck> | undefined;

/** Whether this process can create namespaces, bridges and veth pairs; with the reason if not. */
export function checkNetns(): Promise<NetnsCheck> {
  netnsCheck ??= (async (): Promise<NetnsCheck> => {
    if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
    if (process.getuid?.() !== 0) {
      return { ok: false, reason: `not running as root (uid ${process.getuid?.() ?? '?'})` };
    }
    try {
      await ip(['-V']);
    } catch (error: unknown) {
      return { ok: false, reason: `iproute2 'ip' is not usable: ${String(error)}` };
    }
    try {
      await withProbeNamespace(async (name) => {
        await ip(['-n', name, 'link', 'set', 'lo', 'up']);
        await ip(['-n', name, 'link', 'add', 'br0', 'type', 'bridge']);
        await ip(['-n', name, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'q0']);
      });
    } catch (error: unknown) {
      return { ok: false, reason: `ip netns / bridge / veth do not work here: ${String(error)}` };
    }
    return { ok: true };
  })();
  return netnsCheck;
}

/** Root + `ip netns` (with bridges and veth pairs) works. */
export async function canUseNetns(): Promise<boolean> {
  return (await checkNetns()).ok;
}
