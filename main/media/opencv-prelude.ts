/**
 * Imported for its side effects, before the binding, by opencv.ts only.
 *
 * The binding keeps its classes in process-wide statics bound to the first V8 isolate that
 * loads it. A second isolate loading it (a worker thread, or a second worker after the
 * first ended) aborts or crashes the process, and so does using it from any thread but
 * the one that loaded it. So OpenCV lives on the main thread of whichever process needs
 * it; the capture runs in a child process of its own for that reason.
 */
import { isMainThread } from 'node:worker_threads';
import { Log } from '@u4/opencv-build';

if (!isMainThread) {
  throw new Error(
    'OpenCV may only be loaded on the main thread: the binding crashes the process when a ' +
      'second thread loads it. Run OpenCV work in a child process instead.',
  );
}

// The build helper logs its configuration to stdout while loading, and stdout is where
// the headless node writes its JSON events.
Log.silence = true;
// Without this the binding looks for an "opencv4nodejs" section in the package.json of
// the current directory and refuses to load when the app is started from anywhere else.
process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
// OpenCV prints a warning per backend it tries when a camera will not open; the capture
// reports that failure itself, as a MediaError. Read lazily, so setting it here is in time.
process.env.OPENCV_LOG_LEVEL ??= 'ERROR';
