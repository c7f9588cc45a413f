import { MediaError } from './errors.js';

export type SourceSpec =
  { kind: 'camera'; index: number } | { kind: 'file'; path: string } | { kind: 'pattern' };

export interface VideoSettings {
  width: number;
  height: number;
  fps: number;
}

/** The sizes a user picks from; any other even size in the limits below is accepted too. */
export const RESOLUTIONS = ['320x240', '640x480', '1280x720'] as const;

export const DEFAULT_SETTINGS: Readonly<VideoSettings> = Object.freeze({
  width: 640,
  height: 480,
  fps: 30,
});

const LIMITS = {
  minWidth: 160,
  maxWidth: 1920,
  minHeight: 120,
  maxHeight: 1080,
  minFps: 1,
  maxFps: 60,
};
// Far more cameras than any machine has; a bigger number is a typo, not a device.
const MAX_CAMERA_INDEX = 63;
const SOURCE_HELP = 'expected camera, camera:N, file:PATH or pattern';

export function parseSourceSpec(text: string): SourceSpec {
  if (text === 'pattern') return { kind: 'pattern' };
  if (text === 'camera') return { kind: 'camera', index: 0 };
  if (text.startsWith('camera:')) {
    const digits = text.slice('camera:'.length);
    const index = Number(digits);
    if (!/^\d{1,2}$/.test(digits) || index > MAX_CAMERA_INDEX) {
      throw new MediaError(
        'ERR_BAD_SOURCE',
        `bad camera index "${digits}": expected a number from 0 to ${MAX_CAMERA_INDEX}`,
      );
    }
    return { kind: 'camera', index };
  }
  if (text.startsWith('file:')) {
    const path = text.slice('file:'.length);
    if (path.length === 0) throw new MediaError('ERR_BAD_SOURCE', 'file: needs a path after it');
    return { kind: 'file', path };
  }
  throw new MediaError('ERR_BAD_SOURCE', `unknown video source "${text}": ${SOURCE_HELP}`);
}

export function formatSourceSpec(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'camera':
      return `camera:${spec.index}`;
    case 'file':
      return `file:${spec.path}`;
    case 'pattern':
      return 'pattern';
  }
}

export function parseResolution(text: string): { width: number; height: number } {
  const match = /^(\d{1,4})x(\d{1,4})$/.exec(text);
  if (!match) {
    throw new MediaError('ERR_BAD_SETTINGS', `bad resolution "${text}": expected WIDTHxHEIGHT`);
  }
  const size = { width: Number(match[1]), height: Number(match[2]) };
  checkSize(size.width, size.height);
  return size;
}

/** Returns a copy of `settings` when they are usable; throws ERR_BAD_SETTINGS otherwise. */
export function validateSettings(settings: VideoSettings): VideoSettings {
  const { width, height, fps } = settings;
  checkSize(width, height);
  if (!Number.isInteger(fps) || fps < LIMITS.minFps || fps > LIMITS.maxFps) {
    throw new MediaError(
      'ERR_BAD_SETTINGS',
      `bad frame rate ${fps}: expected a whole number from ${LIMITS.minFps} to ${LIMITS.maxFps}`,
    );
  }
  return { width, height, fps };
}

function checkSize(width: number, height: number): void {
  if ((RESOLUTIONS as readonly string[]).includes(`${width}x${height}`)) return;
  const inRange =
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    width >= LIMITS.minWidth &&
    width <= LIMITS.maxWidth &&
    height >= LIMITS.minHeight &&
    height <= LIMITS.maxHeight;
  // Odd sizes break 4:2:0 chroma subsampling in the encoder and halving for congestion control.
  if (!inRange || width % 2 !== 0 || height % 2 !== 0) {
    throw new MediaError(
      'ERR_BAD_SETTINGS',
      `bad resolution ${width}x${height}: expected one of ${RESOLUTIONS.join(', ')} or an even ` +
        `size from ${LIMITS.minWidth}x${LIMITS.minHeight} to ${LIMITS.maxWidth}x${LIMITS.maxHeight}`,
    );
  }
}
