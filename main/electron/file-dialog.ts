/**
 * "Choose a video file…" in the desktop app: the system's own file dialog, opened by the main
 * process for our window (the page asks through the preload and gets back a path or null).
 */
import type { BrowserWindow } from 'electron';
import { dialog } from 'electron';

/** What OpenCV's FFmpeg reader plays; "All files" stays available for anything else. */
const VIDEO_EXTENSIONS = ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mpg', 'mpeg', 'ogv', 'wmv'];

/** The file the user picked, or null when they cancelled. */
export async function pickVideoFile(window: BrowserWindow): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    properties: ['openFile'],
    filters: [
      { name: 'Videos', extensions: VIDEO_EXTENSIONS },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
