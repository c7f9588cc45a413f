/**
 * `meshcall app`: the desktop app. In Electron where it can run (main/electron/main.ts
 * hosts the node there); otherwise the node runs here and the interface is served to the
 * user's browser through the browser bridge.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cleanup as releaseDataChannels } from 'node-datachannel';
import { errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import { startSession } from './bridge/start-session.js';
import { UiBridge } from './bridge/ui-bridge.js';
import type { AppArgs } from './cli-args.js';
import { parseLogLevel, stderrLogger } from './stderr-logger.js';

/** dist/renderer, next to dist/main where this file is compiled to. */
export const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));
const ELECTRON_MAIN = fileURLToPath(new URL('./electron/main.js', import.meta.url));
/** How the app command hands its (unparsed) options to the Electron main process. */
export const ARGV_ENV = 'MESHCALL_ARGV';

export type ElectronCheck = { ok: true; binary: string } | { ok: false; reason: string };

/** A graphical session to open a window (or a browser) in. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Whether Electron can start here. Under Node, `require('electron')` is the path of its
 * binary; the package's install script downloads that binary from outside the npm registry,
 * so an install that could not reach it has the package and no binary (docs/architecture.md,
 * "Facts learned on these machines"), and `require` throws or names a file that does not exist.
 */
export function checkElectron(): ElectronCheck {
  if (!hasDisplay()) return { ok: false, reason: 'no display (DISPLAY / WAYLAND_DISPLAY unset)' };
  let binary: unknown;
  try {
    binary = createRequire(import.meta.url)('electron');
  } catch (err) {
    return { ok: false, reason: `Electron is not installed (${errorText(err)})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    return { ok: false, reason: 'the Electron package has no binary (its download was skipped)' };
  }
  if (!existsSync(ELECTRON_MAIN)) {
    return { ok: false, reason: `${ELECTRON_MAIN} is missing: run npm run build` };
  }
  return { ok: true, binary };
}

/** Opens `url` in the user's browser; failures only cost the user a copy and paste. */
function openInBrowser(url: string, logger: Logger): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true });
    child.on('error', (err) => logger.info('could not open a browser', { reason: err.message }));
    child.unref();
  } catch (err) {
    logger.info('could not open a browser', { reason: errorText(err) });
  }
}

/** Runs Electron on main/electron's main script; resolves with its exit code. */
function runElectron(binary: string, argv: string[], logger: Logger): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, [ARGV_ENV]: JSON.stringify(argv) };
  // Inherited from a parent that is itself Electron-as-Node, it would make this Electron a
  // plain Node too.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [ELECTRON_MAIN], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('error', (err) => {
      logger.error('could not start Electron', { reason: err.message });
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (code !== 0) {
        logger.error('Electron ended', {
          code,
          signal,
          hint: '`meshcall app --web` runs the interface in your browser instead',
        });
      }
      resolve(code ?? 1);
    });
  });
}

/**
 * Runs the app. Resolves with an exit code once it ended (Electron, or a failed start), or
 * with -1 while the browser-mode node keeps running (it exits on SIGINT/SIGTERM).
 */
export async function runApp(args: AppArgs, argv: string[]): Promise<number> {
  const logger = stderrLogger(parseLogLevel(args.logLevel));
  if (!args.web) {
    const electron = checkElectron();
    if (electron.ok) return runElectron(electron.binary, argv, logger);
    logger.info('using the browser interface', { reason: electron.reason });
  }

  let started;
  try {
    started = await startSession(args, logger, 'node');
  } catch (err) {
    logger.error('could not start', { reason: errorText(err) });
    releaseDataChannels();
    return 1;
  }
  const { session, self } = started;
  const bridge = new UiBridge({
    session,
    selfInfo: self,
    host: '127.0.0.1',
    port: args.uiPort,
    staticDir: RENDERER_DIR,
    logger,
  });
  let url: string;
  try {
    ({ url } = await bridge.start());
  } catch (err) {
    logger.error('could not start the browser interface', { reason: errorText(err) });
    await session.close();
    releaseDataChannels();
    return 1;
  }

  let quitting = false;
  const quit = async (): Promise<void> => {
    if (quitting) return;
    quitting = true;
    await bridge.close();
    await session.close();
    releaseDataChannels();
    process.exit(0);
  };
  process.on('SIGINT', () => void quit());
  process.on('SIGTERM', () => void quit());

  // The one line on stdout: scripts and tests read the address (and its secret) from here.
  process.stdout.write(`meshcall ui ${url}\n`);
  if (args.open && hasDisplay()) openInBrowser(url, logger);
  return -1;
}
