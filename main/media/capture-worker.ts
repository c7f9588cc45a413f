/**
 * Entry point of the capture process that VideoCapture forks. Capture, filters and
 * encoding run here so that they never hold up the parent's event loop and its network
 * links, and so that OpenCV (which cannot be shared between threads, see
 * opencv-prelude.ts) has a process to itself. A crash in native code ends this process,
 * not the app.
 */
import type { CaptureLoop } from './capture-loop.js';
import type { FromWorker, ToWorker } from './capture-protocol.js';
import { nativeErrorText } from './errors.js';

// If the parent dies without saying goodbye, do not linger holding the camera.
const ORPHAN_EXIT_MS = 2000;

function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

// Listen before loading OpenCV (which takes a while) so no early message is lost.
const early: ToWorker[] = [];
let handle: ((message: ToWorker) => void) | null = null;
process.on('message', (message: ToWorker) => {
  if (handle) handle(message);
  else early.push(message);
});

let loop: CaptureLoop | null = null;
process.on('disconnect', () => {
  loop?.close();
  setTimeout(() => process.exit(0), ORPHAN_EXIT_MS).unref();
});

try {
  // Loaded here rather than imported at the top so that a broken OpenCV install (a
  // missing library, a binding built for another Node or Electron) reaches the user as
  // a readable error instead of a bare exit code.
  const { CaptureLoop } = await import('./capture-loop.js');
  handle = (message) => {
    switch (message.type) {
      case 'start':
        if (!loop) {
          loop = new CaptureLoop(message.config, send);
          loop.start();
        }
        break;
      case 'configure':
        loop?.configure(message.change);
        break;
      case 'keyframe':
        loop?.requestKeyframe(message.layer);
        break;
      case 'ack':
        loop?.ack();
        break;
      case 'close':
        loop?.close();
        process.disconnect();
        break;
    }
  };
  early.splice(0).forEach(handle);
} catch (err: unknown) {
  send({
    type: 'error',
    code: 'ERR_CAPTURE_FAILED',
    message: `video capture cannot start: OpenCV failed to load (${nativeErrorText(err)})`,
    reason: 'opencv-unavailable',
    fatal: true,
  });
  process.disconnect();
}
