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
 * Impairments (`setNetem`) are in impairment.ts; commands and processes in processes.ts; the
 * namespace registry and leftover removal in namespaces.ts.
 *
 * Cleanup: each network keeps a registry of its namespaces and of the processes spawned in them.
 * `close()` is idempotent; the process 'exit'/SIGINT/SIGTERM/SIGHUP handlers remove whatever is
 * left synchronously; and `TestNetwork.create` removes namespaces with our prefix left behind by
 * runs that died without cleaning up (their owning pid is gone).
 */
import type { ChildProcess } from 'node:child_process';
import { registerExitCleanup } from '../exit-cleanup.js';
import { waitUntil } from '../wait.js';
import { EgressImpairment, type NetemOptions } from './impairment.js';
import {
  NAMESPACE_PREFIX,
  checkNetns,
  claimNamespace,
  destroyNamespace,
  destroyNamespaceSync,
  releaseNamespace,
  removeLeftoverNamespaces,
} from './namespaces.js';
import { ProcessRegistry, ip, runInNamespace, spawnInNamespace, words } from './processes.js';

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

const SUBNET_PREFIX = '10.231';

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

class NetnsHost implements TestHost {
  private readonly impairment = new EgressImpairment(this, () => this.network.assertOpen());

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
    return await runInNamespace(this.name, command, args, options.timeoutMs);
  }

  spawn(
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): ChildProcess {
    this.network.assertOpen();
    const child = spawnInNamespace(this.name, command, args, options);
    this.network.track(child);
    return child;
  }

  setNetem(options: NetemOptions | null): Promise<void> {
    return this.impairment.set(options);
  }

  private ipHere(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    this.network.assertOpen();
    return ip(['-n', this.name, ...args], `host ${this.name}`);
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

  private readonly processes = new ProcessRegistry();
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
    for (const name of this.namespaces) claimNamespace(name);
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
    this.processes.track(child);
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
    const waitReaped = await this.processes.terminate();
    const errors: unknown[] = [];
    // Hosts before the switch; destroyNamespace also kills anything else left inside.
    for (const name of [...this.namespaces].reverse()) {
      try {
        await destroyNamespace(name);
      } catch (error: unknown) {
        errors.push(error);
      }
    }
    await waitReaped();
    for (const name of this.namespaces) releaseNamespace(name);
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
    this.processes.killSync();
    for (const name of [...this.namespaces].reverse()) destroyNamespaceSync(name);
    for (const name of this.namespaces) releaseNamespace(name);
    usedNetIndexes.delete(this.netIndex);
  }
}
