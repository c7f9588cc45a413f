/**
 * "Choose a video file…": in the desktop app the system's file dialog (the preload's
 * `pickVideoFile`, which answers the file's path); in a browser there is none that gives a
 * path, so the interface asks for it, as "Watch together" does.
 */

/** The dialog's filter names, in the page's language. */
interface PickLabels {
  videos: string;
  all: string;
}
type PickVideoFile = (labels: PickLabels) => Promise<string | null>;

/** The desktop app's file dialog, or null in a browser. */
export function desktopVideoPicker(win: Window): PickVideoFile | null {
  const bridge = (win as Window & { meshcall?: { pickVideoFile?: unknown } }).meshcall;
  const pick = bridge?.pickVideoFile;
  if (typeof pick !== 'function') return null;
  return async (labels) => {
    const picked: unknown = await (pick as PickVideoFile).call(bridge, labels);
    return typeof picked === 'string' && picked.length > 0 ? picked : null;
  };
}
