/** Messages between VideoCapture and the capture process it forks. */
import type { MediaErrorCode } from './errors.js';
import type { FilterName } from './filters.js';
import type { SourceSpec, VideoSettings } from './settings.js';

export interface EncodedFrame {
  /** Counts the frames this capture produced, from 0, across source and settings changes. */
  frameNumber: number;
  /** Milliseconds since the epoch (fractional) when the frame was taken from its source. */
  captureTs: number;
  /** Size of the encoded picture, after any congestion-control downscaling. */
  width: number;
  height: number;
  jpeg: Uint8Array;
  filterMs: number;
  /** Downscaling plus JPEG encoding. */
  encodeMs: number;
}

export interface StartedInfo {
  source: string;
  width: number;
  height: number;
  fps: number;
}

export interface CaptureConfig {
  source: SourceSpec;
  settings: VideoSettings;
  filters: FilterName[];
  quality: number;
  /** Fraction of the capture size to encode at, 0.25..1. */
  scale: number;
  enabled: boolean;
}

export type ToWorker =
  | { type: 'start'; config: CaptureConfig }
  | { type: 'configure'; change: Partial<CaptureConfig> }
  /** The parent has handled the last frame: the worker may send the next. */
  | { type: 'ack' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'frame'; frame: EncodedFrame }
  | ({ type: 'started' } & StartedInfo)
  /** `fatal`: the capture process is ending and will not recover. */
  | { type: 'error'; code: MediaErrorCode; message: string; fatal?: boolean };
