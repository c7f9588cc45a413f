/**
 * Commands and processes run inside network namespaces (through `ip netns exec`), and the
 * registry a TestNetwork keeps of the processes spawned in its hosts so that closing it stops
 * them: SIGTERM, SIGKILL after a short grace, and a synchronous SIGKILL for process exit.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';

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

const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const GRACE_MS = 1_500;
const KILL_WAIT_MS = 5_000;

/** Full path of an executable in the usual system directories, or undefined if none has it. */
export function locateExecutable(name: string): string | undefined {
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

export function findExecutable(name: string): string {
  return locateExecutable(name) ?? name; // let PATH lookup produce the error
}

export const IP = findExecutable('ip');

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
export function words(line: string): string[] {
  return line.split(' ');
}

/** Runs `ip ...args`; `context` prefixes the CommandError message. */
export function ip(
  args: readonly string[],
  context?: string,
): Promise<{ stdout: string; stderr: string }> {
  return exec(IP, args, { context });
}

/** Runs `ip netns exec <namespace> command ...args` to completion. */
export function runInNamespace(
  namespace: string,
  command: string,
  args: readonly string[],
  timeoutMs?: number,
): Promise<{ stdout: string; stderr: string }> {
  return exec(IP, ['netns', 'exec', namespace, command, ...args], {
    timeoutMs,
    context: `host ${namespace}`,
  });
}

/** Spawns `ip netns exec <namespace> command ...args` with piped stdio. */
export function spawnInNamespace(
  namespace: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string },
): ChildProcess {
  return spawn(IP, ['netns', 'exec', namespace, command, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The pids in whitespace-separated text (`ip netns pids`), minus init and ourselves. */
export function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((token) => /^\d+$/.test(token))
    .map(Number)
    .filter((pid) => pid > 1 && pid !== process.pid);
}

interface Tracked {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** The processes spawned in one network's hosts that have not exited yet. */
export class ProcessRegistry {
  private readonly children = new Map<ChildProcess, Tracked>();

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

  /**
   * Sends SIGTERM to every live process, then SIGKILL to those still running after a short
   * grace. Resolves to a function that waits (briefly, never rejecting) for them to be reaped:
   * call it once their namespaces are gone, which also kills whatever they started.
   */
  async terminate(): Promise<() => Promise<void>> {
    const live = [...this.children.values()].filter((entry) => !hasExited(entry.child));
    for (const { child } of live) child.kill('SIGTERM');
    const exits = live.map((entry) => entry.exited);
    await settleWithin(exits, GRACE_MS);
    for (const { child } of live) if (!hasExited(child)) child.kill('SIGKILL');
    return () => settleWithin(exits, KILL_WAIT_MS);
  }

  /** Synchronous last resort, for process exit and signals: SIGKILL to every live process. */
  killSync(): void {
    for (const { child } of this.children.values()) {
      if (!hasExited(child)) child.kill('SIGKILL');
    }
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
