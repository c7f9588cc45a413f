/**
 * Delay, jitter and loss on a TestHost's egress for kernels without sch_netem (this test
 * machine's kernel lacks CONFIG_NET_SCH_NETEM): an iptables NFQUEUE rule on OUTPUT -o eth0 hands
 * every IP packet to test/tools/nfq-delay, running in the host's namespace, which drops it or
 * releases it after the delay. netns/impairment.ts uses this when netemSupported() is false.
 *
 * The rule uses --queue-bypass and the daemon sets FAIL_OPEN, so a daemon that is missing,
 * crashed or overloaded lets packets through unimpaired instead of blackholing a test.
 * ARP is not IP and does not traverse iptables, so unlike netem it is never delayed or dropped.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './json-lines-process.js';
import { LineCollector, stopChild } from './lines.js';
import type { TestHost } from './netns/hosts.js';

const execFileAsync = promisify(execFile);

export interface Impairment {
  lossPercent: number;
  delayMs: number;
  jitterMs: number;
}

const HEADER = '/usr/include/libnetfilter_queue/libnetfilter_queue.h';
const READY_TIMEOUT_MS = 10_000;
const COMPILE_TIMEOUT_MS = 120_000;

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
}

let building: Promise<string> | undefined;

/**
 * Path of the nfq-delay binary, compiled from test/tools/nfq-delay.c into dist/tools/ when it is
 * missing or older than the source. Rejects naming the Debian packages to install when the
 * compiler or the libnetfilter_queue header is absent.
 */
export function nfqDelayBinary(): Promise<string> {
  building ??= compile().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function compile(): Promise<string> {
  const root = repoRoot();
  const source = join(root, 'test', 'tools', 'nfq-delay.c');
  const binary = join(root, 'dist', 'tools', 'nfq-delay');
  if (mtimeMs(binary) >= mtimeMs(source)) return binary;

  const missing: string[] = [];
  try {
    await execFileAsync('gcc', ['--version']);
  } catch {
    missing.push('build-essential (gcc)');
  }
  if (!existsSync(HEADER)) missing.push(`libnetfilter-queue-dev (${HEADER})`);
  if (missing.length > 0) {
    throw new Error(
      `cannot build ${source}, the delay/loss emulator used because this kernel has no ` +
        `sch_netem: missing Debian packages ${missing.join(', ')}. Install them with ` +
        `scripts/bootstrap.sh or apt-get install build-essential libnetfilter-queue-dev.`,
    );
  }
  await mkdir(dirname(binary), { recursive: true });
  // Compile beside the target and rename, so concurrent test runs never execute half a file.
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    await execFileAsync(
      'gcc',
      ['-std=gnu11', '-Wall', '-Wextra', '-O2', '-o', partial, source, '-lnetfilter_queue'],
      { timeout: COMPILE_TIMEOUT_MS },
    );
    await rename(partial, binary);
  } catch (error: unknown) {
    await rm(partial, { force: true });
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`compiling ${source} failed:\n${typeof stderr === 'string' ? stderr : ''}`, {
      cause: error,
    });
  }
  return binary;
}

interface Daemon {
  readonly queue: number;
  readonly child: ChildProcess;
  readonly stderr: LineCollector;
}

/** Starts nfq-delay bound to `queue` inside `host`; resolves once it printed `ready`. */
async function startDaemon(host: TestHost, queue: number, settings: Impairment): Promise<Daemon> {
  const binary = await nfqDelayBinary();
  const child = host.spawn(binary, [
    '--queue',
    String(queue),
    '--delay-ms',
    String(settings.delayMs),
    '--jitter-ms',
    String(settings.jitterMs),
    '--loss-percent',
    String(settings.lossPercent),
  ]);
  const stdout = new LineCollector(child.stdout!, `nfq-delay on ${host.name}`);
  const stderr = new LineCollector(child.stderr!, `nfq-delay on ${host.name} (stderr)`);
  try {
    await stdout.waitFor((line) => line === 'ready', READY_TIMEOUT_MS, 'ready');
  } catch (error: unknown) {
    await stopChild(child);
    throw new Error(`${String(error)}\nstderr:\n${stderr.lines.join('\n')}`, { cause: error });
  }
  return { queue, child, stderr };
}

/**
 * The NFQUEUE rule and daemon of one host. Replacing settings starts the new daemon on the other
 * of two queue numbers and swaps the rule before stopping the old daemon, so no packet escapes
 * the impairment in between; the old daemon releases what it still holds when it stops.
 */
export class NfqueueImpairment {
  private current: Daemon | undefined;
  private pending: Promise<void> = Promise.resolve();

  /** `iptables` lists the iptables-legacy binaries (IPv4, IPv6) whose NFQUEUE rule works. */
  constructor(
    private readonly host: TestHost,
    private readonly iptables: readonly string[],
  ) {}

  /**
   * Applies `settings` (null or all zero: remove); calls are applied one after the other.
   * Rejects if the daemon being replaced had died on its own: the rule's --queue-bypass then
   * let traffic through unimpaired, which the test must not mistake for a pass.
   */
  set(settings: Impairment | null): Promise<void> {
    const next = this.pending.then(() => this.apply(settings));
    this.pending = next.catch(() => undefined);
    return next;
  }

  private rule(queue: number): string[] {
    const target = `-j NFQUEUE --queue-num ${queue} --queue-bypass`;
    return ['OUTPUT', '-o', 'eth0', ...target.split(' ')];
  }

  private async apply(settings: Impairment | null): Promise<void> {
    const previous = this.current;
    let next: Daemon | undefined;
    if (settings && (settings.lossPercent > 0 || settings.delayMs > 0 || settings.jitterMs > 0)) {
      next = await startDaemon(this.host, previous?.queue === 1 ? 2 : 1, settings);
      try {
        // Inserted first, the new rule takes every packet before the old rule sees it.
        for (const command of this.iptables) {
          await this.host.run(command, ['-I', ...this.rule(next.queue)]);
        }
      } catch (error: unknown) {
        await this.removeRule(next.queue).catch(() => undefined);
        await stopChild(next.child);
        throw error;
      }
    }
    this.current = next;
    if (!previous) return;
    const died = previous.child.exitCode ?? previous.child.signalCode;
    try {
      await this.removeRule(previous.queue);
    } finally {
      await stopChild(previous.child);
    }
    if (died !== null) {
      throw new Error(
        `nfq-delay on ${this.host.name} had exited by itself (${died}), so its impairment ` +
          `stopped early; stderr:\n${previous.stderr.lines.join('\n')}`,
      );
    }
  }

  private async removeRule(queue: number): Promise<void> {
    for (const command of this.iptables) await this.host.run(command, ['-D', ...this.rule(queue)]);
  }
}
