/**
 * Starts the node for a user-interface shell (the browser bridge in main/app.ts, the
 * Electron main process): the same Session the headless CLI runs, with logs on stderr.
 */
import type { Logger } from '../../p2p/base/logger.js';
import type { SessionEvent } from '../../protocol/api.js';
import type { NodeArgs } from '../cli-args.js';
import { openSession } from '../open-session.js';
import type { Session } from '../session.js';
import { networkInterfaces } from 'node:os';
import type { SelfInfo } from '../../protocol/ui-protocol.js';
import { BridgeError } from './errors.js';

/**
 * What to tell a user whose OpenCV binding does not load. The binding is a NAN addon built
 * for one ABI: Electron's differs from Node's, so one build cannot serve both
 * (docs/architecture.md, "Facts learned on these machines").
 */
export function opencvHint(runtime: 'node' | 'electron'): string {
  return runtime === 'electron'
    ? 'the camera needs the OpenCV binding rebuilt for Electron: run ' +
        '`npx @electron/rebuild -f -w @u4/opencv4nodejs` in the meshcall folder, or start ' +
        'with `meshcall app --web` to use your browser instead'
    : 'the camera needs the OpenCV binding built for this Node.js: run ' +
        '`npm rebuild @u4/opencv4nodejs` (or `./dev.sh start`, which builds it); if you ran ' +
        '@electron/rebuild, the binding now only loads in Electron';
}

/** The video source state says OpenCV did not load (media-settings repeats it: say it once). */
export function isOpencvLoadFailure(event: SessionEvent): boolean {
  return event.event === 'media-settings' && event.sourceState?.reason === 'opencv-unavailable';
}

export interface StartedNode {
  session: Session;
  self: SelfInfo;
}

/**
 * Creates and starts the session; resolves once it is ready. Errors the session reports
 * are logged (no interface may be connected yet to show them), and an OpenCV that does not
 * load gets a hint saying how to fix it.
 */
export async function startSession(
  args: NodeArgs,
  logger: Logger,
  runtime: 'node' | 'electron',
): Promise<StartedNode> {
  const session = await openSession(args, logger);
  const ready: { self?: SelfInfo } = {};
  let hinted = false;
  session.on('event', (event) => {
    if (event.event === 'ready') {
      ready.self = {
        id: event.id,
        name: event.name,
        port: event.port,
        fingerprint: event.fingerprint,
        addresses: lanAddresses(),
      };
    } else if (event.event === 'error') {
      logger.warn('session error', { code: event.code, message: event.message });
    } else if (isOpencvLoadFailure(event) && !hinted) {
      hinted = true;
      logger.error('video capture unavailable', { hint: opencvHint(runtime) });
    }
  });
  try {
    await session.start();
  } catch (err) {
    await session.close();
    throw err;
  }
  // start() reports ready before it resolves; only a session closed meanwhile has no port.
  if (!ready.self) {
    await session.close();
    throw new BridgeError('ERR_APP_START', 'the session closed while starting');
  }
  return { session, self: ready.self };
}

/** The IPv4 addresses others on the LAN can reach us at (not loopback, not link-local). */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal && !entry.address.startsWith('169.254.')) {
        found.push(entry.address);
      }
    }
  }
  return found.slice(0, 16);
}
