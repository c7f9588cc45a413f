/**
 * Turns one filtered BGR picture into its layers: the H.264 simulcast layers of
 * layer-plan.ts (plus a JPEG one for members without H.264, when asked), or with
 * `codec: 'jpeg'` the single JPEG of old. Owns one H264Encoder per layer and remakes them
 * when the capture size or frame rate changes (a new encoder starts with an IDR).
 */
import { Log } from 'node-av/lib';
import { AV_LOG_ERROR } from 'node-av/constants';
import type { CaptureConfig, EncodedLayerFrame } from './capture-protocol.js';
import { H264Encoder } from './h264-encoder.js';
import { encodeJpeg } from './jpeg.js';
import type { LayerSpec } from './layer-plan.js';
import { JPEG_FALLBACK_LAYER, planLayers } from './layer-plan.js';
import { evenScaledSize, resizeTo } from './mat-ops.js';
import type { Mat } from './opencv.js';
import cv from './opencv.js';

// libx264 reports its settings and a summary at info level on stderr, which is the node's log.
Log.setLevel(AV_LOG_ERROR);

export type EncodeConfig = Pick<
  CaptureConfig,
  'codec' | 'bitrates' | 'jpegFallback' | 'quality' | 'scale' | 'settings' | 'streamCap'
>;

export class FrameEncoder {
  #encoders: H264Encoder[] = [];
  #planKey = '';
  /** captureTs of the first frame the current encoders saw: their presentation time 0. */
  #origin = 0;
  readonly #keyframeWanted = new Set<number>();
  #closed = false;

  /** The next frame of H.264 layer `layer` will be an IDR (a layer that does not exist: ignored). */
  requestKeyframe(layer: number): void {
    if (Number.isInteger(layer) && layer >= 0) this.#keyframeWanted.add(layer);
  }

  async encode(
    filtered: Mat,
    captureTs: number,
    config: EncodeConfig,
  ): Promise<EncodedLayerFrame[]> {
    if (this.#closed) return [];
    if (config.codec === 'jpeg') {
      this.#closeEncoders();
      return [await this.#jpeg(filtered, config, 0)];
    }
    // JPEG runs on the libuv pool while x264 works on this thread.
    const fallback = config.jpegFallback ? this.#jpeg(filtered, config, JPEG_FALLBACK_LAYER) : null;
    const { fps } = config.settings;
    const plan = planLayers(filtered.cols, filtered.rows, fps, config.bitrates);
    this.#prepare(plan, fps, captureTs);
    const pts = ((captureTs - this.#origin) * fps) / 1000;
    const layers: EncodedLayerFrame[] = [];
    let picture = filtered;
    for (const [index, encoder] of this.#encoders.entries()) {
      const spec = plan[index];
      if (!spec) break;
      encoder.setBitrate(Math.min(spec.bitrate, config.streamCap ?? Infinity));
      // Each layer is scaled from the one above it: a 2:1 area average is cheap and exact.
      picture = resizeTo(picture, spec.width, spec.height);
      const i420 = picture.cvtColor(cv.COLOR_BGR2YUV_I420).getData();
      const forced = this.#keyframeWanted.delete(spec.layer);
      const unit = encoder.encode(i420, pts, forced);
      layers.push({ layer: spec.layer, codec: 'h264', ...unit, ...size(spec) });
    }
    this.#keyframeWanted.clear();
    if (fallback) layers.push(await fallback);
    return layers;
  }

  close(): void {
    this.#closed = true;
    this.#closeEncoders();
  }

  #prepare(plan: LayerSpec[], fps: number, captureTs: number): void {
    const key = `${fps}:${plan.map((spec) => `${spec.width}x${spec.height}`).join(',')}`;
    if (key === this.#planKey && this.#encoders.length > 0) return;
    this.#closeEncoders();
    this.#encoders = plan.map(
      (spec) => new H264Encoder({ ...size(spec), fps, bitrate: spec.bitrate }),
    );
    this.#planKey = key;
    this.#origin = captureTs;
  }

  async #jpeg(filtered: Mat, config: EncodeConfig, layer: number): Promise<EncodedLayerFrame> {
    const { settings, quality, scale } = config;
    const target = evenScaledSize(settings.width, settings.height, scale);
    const data = await encodeJpeg(resizeTo(filtered, target.width, target.height), quality);
    return { layer, codec: 'jpeg', keyframe: true, ...target, data };
  }

  #closeEncoders(): void {
    for (const encoder of this.#encoders) encoder.close();
    this.#encoders = [];
    this.#planKey = '';
  }
}

function size(spec: LayerSpec): { width: number; height: number } {
  return { width: spec.width, height: spec.height };
}
