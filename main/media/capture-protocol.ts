/** Messages between VideoCapture and the capture process it forks. */
import type { SourceFailureReason } from '../../protocol/camera-api.js';
import type { MediaErrorCode } from './errors.js';
import type { FilterName } from './filters.js';
import type { SourceSpec, VideoSettings } from './settings.js';
import type { VideoCodec } from '../../p2p/media/frame.js';
import type { LayerFrame } from '../../p2p/media/sender.js';

export type { VideoCodec };

/**
 * One layer (simulcast stream) of one camera frame, exactly what the sender takes: 0 = best
 * (layer-plan.ts; JPEG_FALLBACK_LAYER for the JPEG next to H.264 layers); an H.264 keyframe
 * is an IDR with SPS and PPS in front.
 */
export type EncodedLayerFrame = LayerFrame;

export interface EncodedFrame {
  /** Counts the frames this capture produced, from 0, across source and settings changes. */
  frameNumber: number;
  /** Milliseconds since the epoch (fractional) when the frame was taken from its source. */
  captureTs: number;
  /** Best first. */
  layers: EncodedLayerFrame[];
  filterMs: number;
  /** Scaling, colour conversion and encoding of all layers. */
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
  /** `jpeg`: one JPEG layer sized by `quality` and `scale`, as before H.264 existed. */
  codec: VideoCodec;
  /** Target bits per second by H.264 layer; a missing entry takes layer-plan.ts's default. */
  bitrates: (number | undefined)[];
  /** With H.264, also a JPEG layer (quality and scale as above) for members without H.264. */
  jpegFallback: boolean;
  /**
   * Most bits per second any one H.264 layer may take (null: no cap): each member sends one
   * stream to every other, so a shared upload budget is split among them.
   */
  streamCap: number | null;
}

export type ToWorker =
  | { type: 'start'; config: CaptureConfig }
  | { type: 'configure'; change: Partial<CaptureConfig> }
  /** The parent has handled the last frame: the worker may send the next. */
  | { type: 'ack' }
  /** The next frame of this H.264 layer is to be an IDR. */
  | { type: 'keyframe'; layer: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'frame'; frame: EncodedFrame }
  | ({ type: 'started' } & StartedInfo)
  /** `fatal`: the capture process is ending and will not recover. */
  | {
      type: 'error';
      code: MediaErrorCode;
      message: string;
      /** Why the pictures stopped, for people (camera-api.ts); absent: capture-failed. */
      reason?: SourceFailureReason;
      fatal?: boolean;
    };
