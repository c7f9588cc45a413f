/**
 * Whether our video source works, as LocalMedia tracks it for `media-settings.sourceState`
 * (protocol/camera-api.ts), and what we tell the other members: "video on" only while
 * pictures flow, so that nobody looks at a frozen frame of ours.
 */
import type { SourceFailureReason, VideoSourceState } from '../../protocol/camera-api.js';
import type { MediaErrorCode } from './errors.js';
import type { SourceSpec } from './settings.js';

export interface SourceFailure {
  code: MediaErrorCode;
  reason: SourceFailureReason;
}

/** Plain English for a command line; the interface words it itself, in its language. */
export function failureMessage(reason: SourceFailureReason, source: SourceSpec): string {
  const camera = source.kind === 'camera' ? `camera ${source.index}` : 'the camera';
  switch (reason) {
    case 'camera-not-found':
      return `there is no ${camera} on this computer`;
    case 'camera-unavailable':
      return `${camera} could not be opened: another app may be using it, or it is not allowed`;
    case 'camera-stopped':
      return `${camera} stopped sending pictures (was it unplugged?)`;
    case 'file-unavailable':
      return 'the video file cannot be played: it is missing, unreadable or not a video';
    case 'opencv-unavailable':
      return 'video capture cannot start: OpenCV failed to load';
    case 'capture-failed':
      return 'video capture stopped because of an internal error (the log says more)';
  }
}

/** What LocalMedia knows, turned into the state front ends show. */
export function sourceStateOf(facts: {
  enabled: boolean;
  active: boolean;
  live: boolean;
  failure: SourceFailure | null;
  source: SourceSpec;
}): VideoSourceState {
  if (!facts.enabled) return { state: 'off' };
  if (facts.failure) {
    const { code, reason } = facts.failure;
    return { state: 'failed', code, reason, message: failureMessage(reason, facts.source) };
  }
  if (!facts.active) return { state: 'idle' };
  return { state: facts.live ? 'live' : 'starting' };
}
