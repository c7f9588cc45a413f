/**
 * The cameras this computer has, by name, so that nobody has to guess an index. On Linux
 * every V4L2 device is a folder /sys/class/video4linux/videoN holding `name` (what the
 * driver calls it) and `index` (which of the device's nodes this is). A USB camera makes two
 * nodes, one for pictures and one for metadata; the picture node is index 0, so nodes with
 * another index are left out. Elsewhere (macOS, Windows) there is no such folder: the first
 * camera is offered without a name, as OpenCV opens it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SessionEvent } from '../../protocol/api.js';

export const SYSFS_VIDEO4LINUX = '/sys/class/video4linux';

export interface CameraDevice {
  /** The N of /dev/videoN, which is what OpenCV opens as camera N. */
  index: number;
  /** The driver's name for it; absent when sysfs has none. */
  name?: string;
}

// Far more than any machine has: a folder with more is not worth reading in full.
const MAX_DEVICES = 64;
const MAX_NAME_CHARS = 200;

/** The capture nodes under `root` (a sysfs class folder), by index; [] when it is missing. */
export function listCameras(root: string = SYSFS_VIDEO4LINUX): CameraDevice[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const found: CameraDevice[] = [];
  for (const entry of entries) {
    const match = /^video(\d{1,3})$/.exec(entry);
    if (!match) continue;
    const folder = path.join(root, entry);
    // A node whose index is not 0 is a second node of one device (metadata), not a camera.
    const nodeIndex = readSmallText(path.join(folder, 'index'));
    if (nodeIndex !== undefined && nodeIndex !== '0') continue;
    const name = readSmallText(path.join(folder, 'name'))?.slice(0, MAX_NAME_CHARS);
    found.push({ index: Number(match[1]), ...(name ? { name } : {}) });
  }
  return found.sort((a, b) => a.index - b.index).slice(0, MAX_DEVICES);
}

/** Whether sysfs knows a video device N (on Linux; elsewhere there is no such folder). */
export function cameraExists(index: number, root: string = SYSFS_VIDEO4LINUX): boolean {
  return existsSync(path.join(root, `video${index}`));
}

/** A sysfs attribute, trimmed; undefined when it is missing, unreadable or empty. */
function readSmallText(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text.length > 0 ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The `video-sources` answer: the cameras found, then the test pattern. */
export function videoSourcesEvent(
  current: string,
  root: string = SYSFS_VIDEO4LINUX,
  platform: NodeJS.Platform = process.platform,
): Extract<SessionEvent, { event: 'video-sources' }> {
  const found = platform === 'linux' ? listCameras(root) : [{ index: 0 }];
  const cameras = found.map(({ index, name }: CameraDevice) => ({
    source: `camera:${index}`,
    kind: 'camera' as const,
    ...(name ? { name } : {}),
  }));
  const pattern = { source: 'pattern', kind: 'pattern' as const };
  return { event: 'video-sources', sources: [...cameras, pattern], current };
}
