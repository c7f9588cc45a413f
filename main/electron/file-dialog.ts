/**
 * "Choose a video file…" in the desktop app: the system's own file dialog, opened by the main
 * process for our window (the page asks through the preload and gets back a path or null).
 */
import type { BrowserWindow } from 'electron';
import { dialog } from 'electron';

/** What OpenCV's FFmpeg reader plays; "All files" stays available for anything else. */
const VIDEO_EXTENSIONS = ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mpg', 'mpeg', 'ogv', 'wmv'];

/** The dialog's filter names, in the page's language; what the page sends is checked here. */
export interface PickLabels {
  videos: string;
  all: string;
}

function label(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : fallback;
}

export function pickLabels(value: unknown): PickLabels {
  const labels =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return { videos: label(labels.videos, 'Videos'), all: label(labels.all, 'All files') };
}

/** The file the user picked, or null when they cancelled. */
export async function pickVideoFile(
  window: BrowserWindow,
  labels: PickLabels,
): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    properties: ['openFile'],
    filters: [
      { name: labels.videos, extensions: VIDEO_EXTENSIONS },
      { name: labels.all, extensions: ['*'] },
    ],
  });
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
