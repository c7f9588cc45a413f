/**
 * Our video source as the node sees it (issue #13): whether it works, why not, and which
 * sources this computer offers. The state travels in `media-settings` (`sourceState`); the
 * list is the `video-sources` command and event, spread into protocol/api.ts.
 */
import * as z from 'zod';
import { MEDIA_ERROR_CODES } from './error-codes.js';

/**
 * Why a source gave no pictures, for people: no such camera; a camera that exists but
 * cannot be opened (in use, not allowed); one that stopped mid-call (unplugged); a file
 * that cannot be played; OpenCV that does not load; anything else in the capture.
 */
export const SOURCE_FAILURE_REASONS = [
  'camera-not-found',
  'camera-unavailable',
  'camera-stopped',
  'file-unavailable',
  'opencv-unavailable',
  'capture-failed',
] as const;
export type SourceFailureReason = (typeof SOURCE_FAILURE_REASONS)[number];

/**
 * `off`: the user turned video off. `idle`: video is on but nothing needs it (no call, no
 * preview). `starting`: the source is being opened. `live`: it delivers pictures.
 * `failed`: it gave none; `code` and `reason` say why (stable), `message` in plain English
 * for a command line (the native library's own words go to the node's log only).
 */
export const videoSourceStateSchema = z.object({
  state: z.enum(['off', 'idle', 'starting', 'live', 'failed']),
  code: z.enum(MEDIA_ERROR_CODES).optional(),
  reason: z.enum(SOURCE_FAILURE_REASONS).optional(),
  message: z.string().max(1000).optional(),
});
export type VideoSourceState = z.infer<typeof videoSourceStateSchema>;

/** One source the user may pick: `source` is what `set-source` takes. */
export const videoSourceViewSchema = z.object({
  source: z.string().max(4096),
  kind: z.enum(['camera', 'pattern']),
  /** The device's own name (Linux: sysfs), when known. */
  name: z.string().max(200).optional(),
});
export type VideoSourceView = z.infer<typeof videoSourceViewSchema>;

export const CAMERA_COMMANDS = [
  /** Answered with `video-sources`: the cameras found, by name, and the test pattern. */
  z.strictObject({ cmd: z.literal('video-sources') }),
] as const;

export const CAMERA_EVENTS = [
  z.object({
    event: z.literal('video-sources'),
    sources: z.array(videoSourceViewSchema).max(64),
    /** The source in use now, as `set-source` takes it. */
    current: z.string(),
  }),
] as const;
