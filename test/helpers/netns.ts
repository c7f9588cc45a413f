/**
 * Throwaway LAN segments made of Linux network namespaces, for integration tests that run real
 * processes on several "hosts" of one machine.
 *
 * Layout of one TestNetwork (every piece lives in a namespace of our own; the root namespace is
 * never configured):
 *
 *   mct-<pid>-<n>-sw   "switch": bridge br0 (IGMP snooping off, STP off), ports p0..p<k-1>
 *   mct-<pid>-<n>-h<i> host i:   lo up, eth0 (veth peer of p<i>) with 10.231.<netIndex>.<10+i>/24
 *                                and `default dev eth0`, so multicast (mDNS) has a route.
 *
 * Impairments (`setNetem`) use the netem qdisc when the kernel has it, and otherwise an iptables
 * NFQUEUE rule feeding test/tools/nfq-delay (see nfq-delay.ts).
 *
 * Cleanup: each network keeps a registry of its namespaces and of the processes spawned in them.
 * `close()` is idempotent; the process 'exit'/SIGINT/SIGTERM/SIGHUP handlers remove whatever is
 * left synchronously; and `TestNetwork.create` removes namespaces with our prefix left behind by
 * runs that died without cleaning up (their owning pid is gone).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { registerExitCleanup } from './exit-cleanup.js';
import { NfqueueImpairment } from './nfq-delay.js';
import { waitUntil } from './wait.js';

export interface NetemOptions {
  /** Percentage (0-100) of packets leaving the host's eth0 that are dropped. */
  lossPercent?: number;
  /** Extra delay on packets leaving the host's eth0. */
  delayMs?: number;
  /** Random variation of the delay (uniform within +-jitterMs; may reorder packets). */
  jitterMs?: number;
}

export interface TestHost {
  /** The netns name, e.g. mct-<pid>-<n>-h0. */
  readonly name: string;
  /** Its IPv4 address on eth0. */
  readonly address: string;
  /** Runs `ip netns exec <name> command ...args`; rejects with a CommandError on failure. */
  run(
    command: string,
    args: string[],
    options?: { timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string }>;
  /**
   * Spawns `ip netns exec <name> command ...args` with piped stdio. `env` replaces the environment
   * as in `child_process.spawn` (pass `{ ...process.env, X: 'y' }` to add to it). The process is
   * killed when the network closes.
   */
  spawn(
    command: string,
    args: string[],
    options?: { env?: NodeJS.ProcessEnv; cwd?: string },
  ): ChildProcess;
  /**
   * Impairs traffic leaving eth0, replacing earlier settings (`null` removes every impairment);
   * set it on every host for a two-way effect. Uses the netem qdisc when the kernel has it;
   * without netem, an iptables NFQUEUE rule hands IPv4/IPv6 packets to the nfq-delay daemon
   * in the host (ARP is then not impaired). Rejects with NetemUnsupportedError when the kernel
   * has neither.
   */
  setNetem(options: NetemOptions | null): Promise<void>;
  /** `ip link set eth0 up|down`; bringing it up restores the default route. */
  setLinkUp(up: boolean): Promise<void>;
}

/** A command run through `ip` / inside a namespace failed. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** Thrown by setNetem when the kernel has neither the netem qdisc nor iptables NFQUEUE. */
export class NetemUnsupportedError extends Error {
  override readonly name = 'NetemUnsupportedError';
}

export const NAMESPACE_PREFIX = 'mct-';
const SUBNET_PREFIX = '10.231';
const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const GRACE_MS = 1_500;
const KILL_WAIT_MS = 5_000;

function locateExecutable(name: string): string | undefined {
  for (const dir of [
    '/usr/sbin',
    '/sbin',
    '/usr/bin',
    '/bin',
    '/usr/local/sbin',
    '/usr/local/bin',
  ]) {
    const candidate = `${dir}/${name}`;
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

function findExecutable(name: string): string {
  return locateExecutable(name) ?? name; // let PATH lookup produce the error
}

const IP = findExecutable('ip');
const TC = findExecutable('tc');

function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...args]
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part}'`))
    .join(' ');
}

/** Runs a command to completion; rejects with a CommandError carrying stderr. */
function exec(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number; context?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const code = typeof error.code === 'number' ? error.code : null;
        const signal = error.signal ?? null;
        const how =
          typeof error.code === 'string'
            ? `could not start (${error.code})`
            : signal !== null
              ? `killed by ${signal}${error.killed ? ' (timeout)' : ''}`
              : `exit code ${code ?? '?'}`;
        const detail = stderr.trim() || stdout.trim() || error.message;
        reject(
          new CommandError(
            `${options.context ? `${options.context}: ` : ''}${formatCommand(file, args)} failed, ${how}: ${detail}`,
            code,
            signal,
            stdout,
            stderr,
          ),
        );
      },
    );
  });
}

/** Splits a fixed command line on spaces (no quoting needed or supported). */
function words(line: string): string[] {
  return line.split(' ');
}

function ip(
  args: readonly string[],
  context?: string,
): Promise<{ stdout: string; stderr: string }> {
  return exec(IP, args, { context });
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((token) => /^\d+$/.test(token))
    .map(Number)
    .filter((pid) => pid > 1 && pid !== process.pid);
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
function destroyNamespaceSync(name: string): void {
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
async function destroyNamespace(name: string): Promise<void> {
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

/** Names of namespaces this process currently owns (networks and probes). */
const ownNamespaces = new Set<string>();
let probeCounter = 0;

async function withProbeNamespace<T>(use: (name: string) => Promise<T>): Promise<T> {
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

let netemProbe: Promise<boolean> | undefined;

/** Whether the kernel has the netem qdisc (needed for delay and jitter). */
export function netemSupported(): Promise<boolean> {
  netemProbe ??= withProbeNamespace(async (name) => {
    try {
      await ip(['netns', 'exec', name, TC, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem']);
      return true;
    } catch (error: unknown) {
      if (isUnknownQdisc(error)) return false;
      throw error;
    }
  });
  return netemProbe;
}

function isUnknownQdisc(error: unknown): boolean {
  return error instanceof CommandError && /qdisc kind is unknown|Unknown qdisc/i.test(error.stderr);
}

export type NfqueueCheck = { ok: true; iptables: string[] } | { ok: false; reason: string };
let nfqueueProbe: Promise<NfqueueCheck> | undefined;

/**
 * Whether a namespace can get an iptables NFQUEUE rule (the path setNetem takes without netem),
 * and with which iptables-legacy binaries: IPv4, plus IPv6 when that works too. Legacy only
 * because the kernel's nftables may lack nft_queue. Rejects, naming the Debian package, when
 * iptables-legacy is not installed: that is a setup error, not a kernel limitation.
 */
export function checkNfqueue(): Promise<NfqueueCheck> {
  nfqueueProbe ??= withProbeNamespace(async (name): Promise<NfqueueCheck> => {
    const ipv4 = locateExecutable('iptables-legacy');
    if (ipv4 === undefined) {
      throw new Error(
        'iptables-legacy is not installed (Debian package iptables; scripts/bootstrap.sh ' +
          'installs it); setNetem needs it because this kernel has no sch_netem',
      );
    }
    const usable: string[] = [];
    for (const binary of [ipv4, locateExecutable('ip6tables-legacy')]) {
      if (binary === undefined) continue;
      try {
        await ip([
          ...words(`netns exec ${name} ${binary} -A OUTPUT -o lo -j NFQUEUE`),
          ...words('--queue-num 1 --queue-bypass'),
        ]);
        usable.push(binary);
      } catch (error: unknown) {
        if (!(error instanceof CommandError)) throw error;
        if (binary === ipv4) return { ok: false, reason: error.message };
      }
    }
    return { ok: true, iptables: usable };
  }).catch((error: unknown) => {
    nfqueueProbe = undefined;
    throw error;
  });
  return nfqueueProbe;
}

// ---------------------------------------------------------------------------------------------
// Networks

const usedNetIndexes = new Set<number>();
let networkCounter = 0;

function allocateNetIndex(): number {
  for (let index = 1; index <= 254; index++) {
    if (!usedNetIndexes.has(index)) {
      usedNetIndexes.add(index);
      return index;
    }
  }
  throw new Error('TestNetwork: more than 254 networks open at once in this process');
}

interface Tracked {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

class NetnsHost implements TestHost {
  private nfqueue: Promise<NfqueueImpairment> | undefined;

  constructor(
    readonly network: TestNetwork,
    readonly name: string,
    readonly address: string,
    readonly index: number,
  ) {}

  async run(
    command: string,
    args: string[],
    options: { timeoutMs?: number } = {},
  ): Promise<{ stdout: string; stderr: string }> {
    this.network.assertOpen();
    return await exec(IP, ['netns', 'exec', this.name, command, ...args], {
      timeoutMs: options.timeoutMs,
      context: `host ${this.name}`,
    });
  }

  spawn(
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): ChildProcess {
    this.network.assertOpen();
    const child = spawn(IP, ['netns', 'exec', this.name, command, ...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.network.track(child);
    return child;
  }

  private ipHere(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    this.network.assertOpen();
    return ip(['-n', this.name, ...args], `host ${this.name}`);
  }

  private tc(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    this.network.assertOpen();
    return ip(['netns', 'exec', this.name, TC, ...args], `host ${this.name}`);
  }

  private async clearQdisc(): Promise<void> {
    try {
      await this.tc(['qdisc', 'del', 'dev', 'eth0', 'root']);
    } catch (error: unknown) {
      // Deleting the default qdisc fails; that means there was nothing to remove.
      if (!(
        error instanceof CommandError &&
        /handle of zero|No such file|Invalid handle/i.test(error.stderr)
      )) {
        throw error;
      }
    }
  }

  async setNetem(options: NetemOptions | null): Promise<void> {
    const loss = options?.lossPercent ?? 0;
    const delay = options?.delayMs ?? 0;
    const jitter = options?.jitterMs ?? 0;
    for (const [key, value] of Object.entries({
      lossPercent: loss,
      delayMs: delay,
      jitterMs: jitter,
    })) {
      if (!Number.isFinite(value) || value < 0)
        throw new RangeError(`setNetem: ${key} must be >= 0`);
    }
    if (loss > 100) throw new RangeError('setNetem: lossPercent must be <= 100');

    if (await netemSupported()) {
      if (options === null) {
        await this.clearQdisc();
        return;
      }
      const args = ['qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', 'limit', '100000'];
      if (delay > 0 || jitter > 0)
        args.push('delay', `${delay}ms`, ...(jitter > 0 ? [`${jitter}ms`] : []));
      if (loss > 0) args.push('loss', `${loss}%`);
      await this.tc(args);
      return;
    }
    const impaired = loss > 0 || delay > 0 || jitter > 0;
    // Removing what was never installed must work even where NFQUEUE does not (afterEach hooks).
    if (!impaired && this.nfqueue === undefined) return;
    this.nfqueue ??= this.createNfqueue().catch((error: unknown) => {
      this.nfqueue = undefined;
      throw error;
    });
    const nfqueue = await this.nfqueue;
    await nfqueue.set(impaired ? { lossPercent: loss, delayMs: delay, jitterMs: jitter } : null);
  }

  private async createNfqueue(): Promise<NfqueueImpairment> {
    const check = await checkNfqueue();
    if (!check.ok) {
      throw new NetemUnsupportedError(
        `setNetem on ${this.name}: this kernel has neither the netem qdisc ` +
          `(CONFIG_NET_SCH_NETEM) nor a working iptables NFQUEUE target ` +
          `(CONFIG_NETFILTER_XT_TARGET_NFQUEUE, CONFIG_NETFILTER_NETLINK_QUEUE): ${check.reason}`,
      );
    }
    return new NfqueueImpairment(this, check.iptables);
  }

  async setLinkUp(up: boolean): Promise<void> {
    await this.ipHere(['link', 'set', 'eth0', up ? 'up' : 'down']);
    if (!up) return;
    // Taking the link down flushed the default route; the address and the /24 route come back
    // by themselves. Carrier has no event we can wait on from here, so poll it briefly.
    await this.ipHere(['route', 'replace', 'default', 'dev', 'eth0']);
    await waitUntil(
      async () => (await this.ipHere(['-o', 'link', 'show', 'eth0'])).stdout.includes('LOWER_UP'),
      { timeoutMs: 5_000, intervalMs: 20, message: `${this.name}: eth0 carrier after link up` },
    );
  }
}

export class TestNetwork {
  /** The namespace holding the bridge br0. */
  readonly switchName: string;
  readonly hosts: readonly TestHost[];
  private readonly hostImpls: readonly NetnsHost[];
  /** Third octet of the hosts' addresses (10.231.<netIndex>.<10+i>), unique among open networks. */
  readonly netIndex: number;
  readonly label: string | undefined;
  /** Every namespace of this network, switch first. */
  readonly namespaces: readonly string[];

  private readonly children = new Map<ChildProcess, Tracked>();
  private readonly unregisterExitCleanup: () => void;
  private closing: Promise<void> | undefined;

  private constructor(serial: number, hostCount: number, netIndex: number, label?: string) {
    this.netIndex = netIndex;
    this.label = label;
    const base = `${NAMESPACE_PREFIX}${process.pid}-${serial}`;
    this.switchName = `${base}-sw`;
    this.hostImpls = Array.from(
      { length: hostCount },
      (_, i) => new NetnsHost(this, `${base}-h${i}`, `${SUBNET_PREFIX}.${netIndex}.${10 + i}`, i),
    );
    this.hosts = this.hostImpls;
    this.namespaces = [this.switchName, ...this.hosts.map((host) => host.name)];
    for (const name of this.namespaces) ownNamespaces.add(name);
    this.unregisterExitCleanup = registerExitCleanup(() => this.closeSync());
  }

  /**
   * Creates a switch namespace with bridge br0 and `hostCount` host namespaces attached to it.
   * Removes leftovers of crashed runs first. On failure, whatever was created is removed.
   */
  static async create(hostCount: number, options: { label?: string } = {}): Promise<TestNetwork> {
    if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > 200) {
      throw new RangeError(
        `TestNetwork.create: hostCount must be an integer in 1..200, got ${hostCount}`,
      );
    }
    const check = await checkNetns();
    if (!check.ok) {
      throw new Error(
        `TestNetwork needs root and iproute2 with network namespaces: ${check.reason}`,
      );
    }
    await removeLeftoverNamespaces();
    const network = new TestNetwork(networkCounter++, hostCount, allocateNetIndex(), options.label);
    try {
      await network.build();
    } catch (error: unknown) {
      await network.close().catch(() => undefined);
      const what = options.label ? ` "${options.label}"` : '';
      throw new Error(`TestNetwork.create${what} failed: ${String(error)}`, { cause: error });
    }
    return network;
  }

  private async build(): Promise<void> {
    const sw = this.switchName;
    await ip(['netns', 'add', sw]);
    await ip(['-n', sw, 'link', 'set', 'lo', 'up']);
    await ip(['-n', sw, ...words('link add br0 type bridge stp_state 0 mcast_snooping 0')]);
    await ip(['-n', sw, 'link', 'set', 'br0', 'up']);
    for (const host of this.hostImpls) await ip(['netns', 'add', host.name]);
    await Promise.all(
      this.hostImpls.map(async (host) => {
        const port = `p${host.index}`;
        const h = host.name;
        await ip([
          '-n',
          sw,
          'link',
          'add',
          port,
          'type',
          'veth',
          'peer',
          'name',
          'eth0',
          'netns',
          h,
        ]);
        await ip(['-n', sw, 'link', 'set', port, 'master', 'br0']);
        await ip(['-n', sw, 'link', 'set', port, 'up']);
        await ip(['-n', h, 'link', 'set', 'lo', 'up']);
        await ip(['-n', h, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
        await ip(['-n', h, 'link', 'set', 'eth0', 'up']);
        await ip(['-n', h, 'route', 'add', 'default', 'dev', 'eth0']);
      }),
    );
  }

  /** @internal */
  assertOpen(): void {
    if (this.closing) {
      throw new Error(`TestNetwork ${this.describe()} is closed`);
    }
  }

  /** @internal Registers a process spawned in one of this network's hosts. */
  track(child: ChildProcess): void {
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => {
        if (child.pid === undefined) resolve();
      });
    });
    const entry: Tracked = { child, exited };
    this.children.set(child, entry);
    void exited.then(() => this.children.delete(child));
  }

  private describe(): string {
    return `${this.switchName.replace(/-sw$/, '')}${this.label ? ` (${this.label})` : ''}`;
  }

  /**
   * Kills every process spawned in the hosts (SIGTERM, then SIGKILL after a short grace, then
   * anything else still inside the namespaces), deletes the namespaces. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const live = [...this.children.values()].filter((entry) => !hasExited(entry.child));
    for (const { child } of live) child.kill('SIGTERM');
    await settleWithin(
      live.map((entry) => entry.exited),
      GRACE_MS,
    );
    for (const { child } of live) if (!hasExited(child)) child.kill('SIGKILL');

    const errors: unknown[] = [];
    // Hosts before the switch; destroyNamespace also kills anything else left inside.
    for (const name of [...this.namespaces].reverse()) {
      try {
        await destroyNamespace(name);
      } catch (error: unknown) {
        errors.push(error);
      }
    }
    await settleWithin(
      live.map((entry) => entry.exited),
      KILL_WAIT_MS,
    );
    for (const name of this.namespaces) ownNamespaces.delete(name);
    usedNetIndexes.delete(this.netIndex);
    this.unregisterExitCleanup();
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `TestNetwork ${this.describe()}: close() left namespaces behind`,
      );
    }
  }

  /** Synchronous last-resort cleanup, for process exit and signals. */
  private closeSync(): void {
    for (const { child } of this.children.values()) {
      if (!hasExited(child)) child.kill('SIGKILL');
    }
    for (const name of [...this.namespaces].reverse()) destroyNamespaceSync(name);
    for (const name of this.namespaces) ownNamespaces.delete(name);
    usedNetIndexes.delete(this.netIndex);
  }
}

/** Waits for all promises or `ms`, whichever comes first; never rejects. */
async function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
