/**
 * Last-resort cleanup when the test process ends without running its `after` hooks: normal exit
 * (including mocha's `--exit`), SIGINT, SIGTERM or SIGHUP. Every function registered here must be
 * synchronous (only synchronous work runs during 'exit') and must not throw; it is run at most
 * once. Resources that are released normally unregister themselves.
 */

type SyncCleanup = () => void;

const cleanups = new Set<SyncCleanup>();
const signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function runAll(): void {
  // Newest first, like a stack: processes before the namespaces they live in.
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Best effort: one failing cleanup must not prevent the others.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // If nobody else handles the signal, restore the default behaviour (terminate with it), so the
  // exit status still says what happened. Otherwise leave the decision to the other listeners.
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

const signalHandlers = new Map<NodeJS.Signals, () => void>(
  signals.map((signal) => [signal, () => onSignal(signal)]),
);

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const [signal, handler] of signalHandlers) process.on(signal, handler);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.removeListener('exit', runAll);
  for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
}

/**
 * Registers `cleanup` to run synchronously if the process exits or is interrupted before the
 * returned function is called. Call the returned function once the resource has been released
 * normally.
 */
export function registerExitCleanup(cleanup: SyncCleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}
