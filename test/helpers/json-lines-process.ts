/**
 * Drives a real `meshcall headless` node: JSON commands on stdin, one JSON event per line on
 * stdout (each an object with a string `event`), logs on stderr.
 *
 *   const node = await HeadlessNode.start({ name: 'alice', host: net.hosts[0] });
 *   node.send({ cmd: 'invite', peer: bob.id });
 *   await node.waitFor('call-joined');
 *
 * Every started node is registered; `stopAllNodes()` (for afterEach hooks) stops them, and an
 * exit/signal hook SIGKILLs whatever is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { registerExitCleanup } from './exit-cleanup.js';
import type { TestHost } from './netns/hosts.js';

export interface NodeEvent {
  event: string;
  [key: string]: unknown;
}

export interface HeadlessNodeOptions {
  name: string;
  /** Run inside this host's network namespace; without it the node runs in the test's own. */
  host?: TestHost;
  /** Default: a fresh directory under os.tmpdir(), removed by stop(). */
  dataDir?: string;
  port?: number;
  autoAccept?: boolean;
  extraArgs?: string[];
  /** Default 15000. */
  readyTimeoutMs?: number;
  /** Added to process.env for the node. */
  env?: NodeJS.ProcessEnv;
  /** Script to run instead of <repo>/bin/meshcall.js (for testing this helper). */
  binPath?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const DEFAULT_READY_TIMEOUT_MS = 15_000;
const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const MAX_STDERR_LINES = 10000;
const OUTPUT_DRAIN_MS = 2_000;

let cachedRepoRoot: string | undefined;

/** The directory holding meshcall's package.json, found by walking up from this file. */
export function repoRoot(): string {
  if (cachedRepoRoot !== undefined) return cachedRepoRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
      };
      if (manifest.name === 'meshcall') {
        cachedRepoRoot = dir;
        return dir;
      }
    } catch {
      // no (readable) package.json here; keep walking
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json named "meshcall" above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
}

/** <repo>/bin/meshcall.js */
export function meshcallBin(): string {
  return join(repoRoot(), 'bin', 'meshcall.js');
}

const liveNodes = new Set<HeadlessNode>();

/** Stops every node started and not yet stopped; rejects if any could not be stopped. */
export async function stopAllNodes(timeoutMs?: number): Promise<void> {
  const results = await Promise.allSettled([...liveNodes].map((node) => node.stop(timeoutMs)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((f) => f.reason as unknown),
      'stopAllNodes: some nodes failed to stop',
    );
  }
}

function isNodeEvent(value: unknown): value is NodeEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { event?: unknown }).event === 'string'
  );
}

function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

interface EventWaiter {
  readonly match: (event: NodeEvent) => boolean;
  readonly resolve: (event: NodeEvent) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly what: string;
}

export class HeadlessNode {
  readonly name: string;
  readonly host: TestHost | undefined;
  readonly dataDir: string;
  /** Every event so far, in order. */
  readonly events: readonly NodeEvent[];
  /** Lines on stdout that were not a JSON object with a string `event`. Should stay empty. */
  readonly badStdoutLines: readonly string[];
  /** stderr, line by line (the oldest are dropped past 10000 lines). */
  readonly stderrLines: readonly string[];
  readonly exited: Promise<ExitStatus>;

  private readonly child: ChildProcess;
  private readonly ownsDataDir: boolean;
  private readonly eventList: NodeEvent[] = [];
  /** performance.now() when each event's line was read, for timings between events. */
  private readonly arrivals = new WeakMap<NodeEvent, number>();
  private readonly badLines: string[] = [];
  private readonly stderrList: string[] = [];
  private readonly waiters = new Set<EventWaiter>();
  private readonly stderrWaiters = new Set<{
    pattern: RegExp;
    resolve: (line: string) => void;
    timer: NodeJS.Timeout;
  }>();
  private readyEvent: NodeEvent | undefined;
  private exitStatus: ExitStatus | undefined;
  private stopping: Promise<number | null> | undefined;
  private readonly unregisterExitCleanup: () => void;

  private constructor(
    child: ChildProcess,
    options: HeadlessNodeOptions,
    dataDir: string,
    ownsDataDir: boolean,
  ) {
    this.child = child;
    this.name = options.name;
    this.host = options.host;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.events = this.eventList;
    this.badStdoutLines = this.badLines;
    this.stderrLines = this.stderrList;

    child.stdin?.on('error', () => {
      // EPIPE after the process died; reported through `exited` and failed waits instead.
    });
    const verbose = process.env.MESHCALL_TEST_VERBOSE === '1';
    const stdoutReader = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    stdoutReader.on('line', (line) => this.onStdoutLine(line));
    const stderrReader = createInterface({ input: child.stderr!, crlfDelay: Infinity });
    stderrReader.on('line', (line) => {
      this.stderrList.push(line);
      if (this.stderrList.length > MAX_STDERR_LINES) this.stderrList.shift();
      for (const waiter of [...this.stderrWaiters]) {
        if (!waiter.pattern.test(line)) continue;
        clearTimeout(waiter.timer);
        this.stderrWaiters.delete(waiter);
        waiter.resolve(line);
      }
      if (verbose) process.stderr.write(`[${this.name}] ${line}\n`);
    });
    const outputEnded = Promise.all(
      [stdoutReader, stderrReader].map(
        (reader) => new Promise<void>((resolve) => reader.once('close', resolve)),
      ),
    );

    this.exited = new Promise<ExitStatus>((resolve) => {
      const finish = (status: ExitStatus, reason: string): void => {
        if (this.exitStatus) return;
        this.exitStatus = status;
        for (const waiter of [...this.waiters]) {
          this.settle(waiter, () =>
            waiter.reject(new Error(this.describeFailure(`${reason} before ${waiter.what}`))),
          );
        }
        resolve(status);
      };
      const describeExit = (code: number | null, signal: NodeJS.Signals | null): string =>
        `exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`;
      // Record every line the process wrote before reporting the exit: wait for stdout and
      // stderr to end, but not forever (a grandchild could hold them open).
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        let timer: NodeJS.Timeout | undefined;
        void Promise.race([
          outputEnded,
          new Promise<void>((done) => {
            timer = setTimeout(done, OUTPUT_DRAIN_MS);
          }),
        ]).then(() => {
          clearTimeout(timer);
          finish({ code, signal }, describeExit(code, signal));
        });
      });
      child.once('error', (error) => {
        if (child.pid === undefined) {
          finish({ code: null, signal: null }, `could not start: ${error.message}`);
        }
      });
    });

    liveNodes.add(this);
    this.unregisterExitCleanup = registerExitCleanup(() => {
      if (!this.exitStatus) this.child.kill('SIGKILL');
      if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    });
  }

  /** Spawns the node (inside `host`'s namespace if given) and waits for its `ready` event. */
  static async start(options: HeadlessNodeOptions): Promise<HeadlessNode> {
    const ownsDataDir = options.dataDir === undefined;
    const dataDir =
      options.dataDir ?? (await mkdtemp(join(tmpdir(), `meshcall-test-${options.name}-`)));
    const args = [
      options.binPath ?? meshcallBin(),
      'headless',
      '--name',
      options.name,
      '--data-dir',
      dataDir,
      ...(options.port !== undefined ? ['--port', String(options.port)] : []),
      ...(options.autoAccept ? ['--auto-accept'] : []),
      ...(options.extraArgs ?? []),
    ];
    const env = { ...process.env, ...options.env };
    const cwd = repoRoot();
    let child: ChildProcess;
    try {
      child = options.host
        ? options.host.spawn(process.execPath, args, { env, cwd })
        : spawn(process.execPath, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error: unknown) {
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    const node = new HeadlessNode(child, options, dataDir, ownsDataDir);
    const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    try {
      const ready = await node.waitFor('ready', undefined, readyTimeoutMs);
      if (typeof ready.id !== 'string' || typeof ready.port !== 'number') {
        throw new Error(
          node.describeFailure(
            `ready event lacks a string id or a numeric port: ${JSON.stringify(ready)}`,
          ),
        );
      }
      node.readyEvent = ready;
    } catch (error: unknown) {
      await node.kill('SIGKILL');
      await node.stop();
      throw error;
    }
    return node;
  }

  get ready(): NodeEvent {
    if (!this.readyEvent) throw new Error(`${this.name}: not ready`);
    return this.readyEvent;
  }

  get id(): string {
    return this.ready.id as string;
  }

  get port(): number {
    return this.ready.port as number;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** When the test read `event` from this node (performance.now()), if it is one of its events. */
  arrivedAt(event: NodeEvent): number | undefined {
    return this.arrivals.get(event);
  }

  /** The exit status, once the process has exited. */
  get exitStatusNow(): ExitStatus | undefined {
    return this.exitStatus;
  }

  private onStdoutLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (!isNodeEvent(parsed)) {
      this.badLines.push(line);
      return;
    }
    this.arrivals.set(parsed, performance.now());
    this.eventList.push(parsed);
    for (const waiter of [...this.waiters]) {
      let matched: boolean;
      try {
        matched = waiter.match(parsed);
      } catch (error: unknown) {
        this.settle(waiter, () =>
          waiter.reject(error instanceof Error ? error : new Error(String(error))),
        );
        continue;
      }
      if (matched) this.settle(waiter, () => waiter.resolve(parsed));
    }
  }

  private settle(waiter: EventWaiter, action: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    action();
  }

  private describeFailure(reason: string): string {
    const where = this.host ? ` in ${this.host.name}` : '';
    const events = this.eventList.slice(-10).map((e) => `    ${truncate(JSON.stringify(e))}`);
    const stderr = this.stderrList
      .slice(-(Number(process.env.MESHCALL_TEST_STDERR_LINES) || 20))
      .map((line) => `    ${truncate(line, 500)}`);
    const bad = this.badLines.slice(-5).map((line) => `    ${truncate(line)}`);
    return [
      `headless node ${this.name} (pid ${this.child.pid ?? '?'}${where}): ${reason}`,
      `  last events (${events.length} of ${this.eventList.length}):`,
      ...(events.length > 0 ? events : ['    (none)']),
      `  last stderr lines:`,
      ...(stderr.length > 0 ? stderr : ['    (none)']),
      ...(bad.length > 0 ? [`  non-event stdout lines (${this.badLines.length}):`, ...bad] : []),
    ].join('\n');
  }

  private wait(
    event: string,
    predicate: ((e: NodeEvent) => boolean) | undefined,
    timeoutMs: number,
    includePast: boolean,
  ): Promise<NodeEvent> {
    const match = (e: NodeEvent): boolean => e.event === event && (predicate ? predicate(e) : true);
    const what = `event "${event}"${predicate ? ' matching the predicate' : ''}`;
    if (includePast) {
      try {
        const past = this.eventList.find(match);
        if (past) return Promise.resolve(past);
      } catch (error: unknown) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    if (this.exitStatus) {
      const { code, signal } = this.exitStatus;
      return Promise.reject(
        new Error(
          this.describeFailure(
            `exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}) before ${what}`,
          ),
        ),
      );
    }
    return new Promise<NodeEvent>((resolve, reject) => {
      const waiter: EventWaiter = {
        match,
        resolve,
        reject,
        what,
        timer: setTimeout(() => {
          this.settle(waiter, () =>
            reject(
              new Error(
                this.describeFailure(`timed out after ${timeoutMs} ms waiting for ${what}`),
              ),
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * The first event named `event` (and matching `predicate`), including those received before
   * the call. Rejects on timeout or when the process exits first.
   */
  waitFor(
    event: string,
    predicate?: (e: NodeEvent) => boolean,
    timeoutMs = DEFAULT_WAIT_TIMEOUT_MS,
  ): Promise<NodeEvent> {
    return this.wait(event, predicate, timeoutMs, true);
  }

  /** Like waitFor, but only for events arriving after the call. */
  waitForNext(
    event: string,
    predicate?: (e: NodeEvent) => boolean,
    timeoutMs = DEFAULT_WAIT_TIMEOUT_MS,
  ): Promise<NodeEvent> {
    return this.wait(event, predicate, timeoutMs, false);
  }

  /** The first stderr (log) line matching `pattern`, including lines already written. */
  waitForStderr(pattern: RegExp, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<string> {
    const past = this.stderrList.find((line) => pattern.test(line));
    if (past !== undefined) return Promise.resolve(past);
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        pattern,
        resolve,
        timer: setTimeout(() => {
          this.stderrWaiters.delete(waiter);
          reject(
            new Error(this.describeFailure(`no log line matching ${pattern} in ${timeoutMs} ms`)),
          );
        }, timeoutMs),
      };
      this.stderrWaiters.add(waiter);
    });
  }

  count(event: string, predicate?: (e: NodeEvent) => boolean): number {
    return this.eventList.filter((e) => e.event === event && (predicate ? predicate(e) : true))
      .length;
  }

  send(command: Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(command));
  }

  /** Writes `line` to stdin, adding the newline unless it already ends with one. */
  sendRaw(line: string): void {
    const stdin = this.child.stdin;
    if (this.exitStatus || !stdin || !stdin.writable) {
      throw new Error(
        this.describeFailure(`cannot send ${truncate(JSON.stringify(line), 200)}: stdin is closed`),
      );
    }
    stdin.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  /** Sends `signal` (default SIGTERM) and resolves once the process exited. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.exitStatus) this.child.kill(signal);
    await this.exited;
  }

  /**
   * Sends {"cmd":"quit"} and closes stdin, waits for the exit, SIGKILLs after `timeoutMs`;
   * removes a temporary data dir it created. Resolves with the exit code (null if killed by a
   * signal). Idempotent.
   */
  stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<number | null> {
    this.stopping ??= this.doStop(timeoutMs);
    return this.stopping;
  }

  private async doStop(timeoutMs: number): Promise<number | null> {
    try {
      if (!this.exitStatus) {
        try {
          this.sendRaw(JSON.stringify({ cmd: 'quit' }));
          this.child.stdin?.end();
        } catch {
          // stdin already closed; the timeout below handles a process that lingers
        }
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          this.exited.then(() => 'exited' as const),
          new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (outcome === 'timeout') this.child.kill('SIGKILL');
      }
      const status = await this.exited;
      return status.code;
    } finally {
      if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
      liveNodes.delete(this);
      this.unregisterExitCleanup();
    }
  }
}
