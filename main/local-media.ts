import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type { MediaSettingsView } from '../protocol/api.js';
import type { MediaError } from './media/errors.js';
import { validateFilters } from './media/filters.js';
import type { SourceSpec, VideoSettings } from './media/settings.js';
import { formatSourceSpec, parseResolution, validateSettings } from './media/settings.js';
import type { CallAdapter } from './call-adapter.js';
import type { EncodedFrame, VideoCodec } from './media/video-capture.js';
import { VideoCapture } from './media/video-capture.js';

/**
 * What one member's video may upload in all: it sends a stream to every other member, so in
 * a group call each stream gets a share. 1.2 Mb/s keeps one 640×480 stream at its full
 * ~0.76 Mb/s target in a call of two, and a full mesh of four (12 streams at 0.4 Mb/s) under
 * 5 Mb/s of Wi-Fi airtime (x264 lands a few percent over its target, seals and chunk headers
 * add ~1 %).
 */
export const UPLOAD_BUDGET_BPS = 1_200_000;

/** Bits per second one stream may take when we send to `others` members (null: no cap). */
export function streamShare(others: number): number | null {
  return others > 1 ? Math.round(UPLOAD_BUDGET_BPS / others) : null;
}

export interface LocalMediaOptions {
  source: SourceSpec;
  settings: VideoSettings;
  filters: string[];
  /** Default h264. */
  codec?: VideoCodec | undefined;
}

export interface LocalMediaEvents {
  frame: [EncodedFrame];
  error: [MediaError];
  settings: [MediaSettingsView];
}

/**
 * This node's own camera (or file, or test pattern) as the user configured it. The
 * capture process is started once and kept warm (starting it and loading OpenCV takes
 * ~450 ms, too long to wait for when a call begins); frames flow, and the camera is
 * open, only while video is wanted (in a call, or a preview is shown) and switched on.
 */
export class LocalMedia extends TypedEmitter<LocalMediaEvents> {
  #source: SourceSpec;
  #settings: VideoSettings;
  #filters: string[];
  readonly #codec: VideoCodec;
  /** A member cannot decode H.264: the capture adds a JPEG layer while it is in the call. */
  #jpegFallback = false;
  #streamCap: number | null = null;
  #enabled = true;
  #active = false;
  #capture: VideoCapture | null = null;
  #latest: EncodedFrame | null = null;
  #closed = false;

  constructor(options: LocalMediaOptions) {
    super();
    this.#source = options.source;
    this.#settings = validateSettings(options.settings);
    this.#filters = validateFilters(options.filters);
    this.#codec = options.codec ?? 'h264';
  }

  get view(): MediaSettingsView {
    return {
      source: formatSourceSpec(this.#source),
      width: this.#settings.width,
      height: this.#settings.height,
      fps: this.#settings.fps,
      filters: [...this.#filters],
      enabled: this.#enabled,
    };
  }

  get codec(): VideoCodec {
    return this.#codec;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Our newest encoded frame (the self view shows the filtered picture others get). */
  get latest(): EncodedFrame | null {
    return this.#latest;
  }

  get running(): boolean {
    return this.#active;
  }

  /** Starts the capture process idle, so that the first call gets frames at once. */
  warmUp(): void {
    this.#ensureCapture();
  }

  start(): void {
    if (this.#closed) return;
    this.#active = true;
    this.#ensureCapture()?.setEnabled(this.#enabled);
  }

  /** Stops frames and releases the camera; the capture process stays warm. */
  stop(): Promise<void> {
    this.#active = false;
    this.#latest = null;
    this.#capture?.setEnabled(false);
    return Promise.resolve();
  }

  #ensureCapture(): VideoCapture | null {
    if (this.#closed) return null;
    if (this.#capture) return this.#capture;
    const capture = new VideoCapture({
      source: this.#source,
      settings: this.#settings,
      filters: this.#filters,
      codec: this.#codec,
    });
    capture.setJpegFallback(this.#jpegFallback);
    capture.setStreamCap(this.#streamCap);
    capture.on('frame', (frame) => {
      if (!this.#active) return;
      this.#latest = frame;
      this.emit('frame', frame);
    });
    capture.on('error', (error) => this.emit('error', error));
    this.#capture = capture;
    capture.setEnabled(this.#active && this.#enabled);
    capture.start();
    return capture;
  }

  /** Throws MediaError (ERR_UNKNOWN_FILTER) and changes nothing on a bad list. */
  setFilters(names: string[]): void {
    const filters = validateFilters(names);
    this.#filters = filters;
    this.#capture?.setFilters(filters);
    this.emit('settings', this.view);
  }

  setSource(source: SourceSpec): void {
    this.#source = source;
    this.#capture?.setSource(source);
    this.emit('settings', this.view);
  }

  setVideo(change: { resolution?: string | undefined; fps?: number | undefined }): void {
    const size = change.resolution ? parseResolution(change.resolution) : this.#settings;
    const settings = validateSettings({
      width: size.width,
      height: size.height,
      fps: change.fps ?? this.#settings.fps,
    });
    this.#settings = settings;
    this.#capture?.setSettings(settings);
    this.emit('settings', this.view);
  }

  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    this.#capture?.setEnabled(enabled && this.#active);
    if (!enabled) this.#latest = null;
    this.emit('settings', this.view);
  }

  /** Congestion control's choice for everything we send. */
  setEncodeTarget(quality: number, scale: number): void {
    this.#capture?.setQuality(quality);
    this.#capture?.setScale(scale);
  }

  /** A receiver needs a keyframe of this H.264 layer (the sender rate-limits these). */
  requestKeyframe(layer: number): void {
    this.#capture?.requestKeyframe(layer);
  }

  /** Bits per second for one H.264 layer, from the next frame on. */
  setBitrate(layer: number, bitrate: number): void {
    this.#capture?.setBitrate(layer, bitrate);
  }

  /** What the call asks of the capture: JPEG size and quality, keyframes, a JPEG layer. */
  followCalls(calls: Pick<CallAdapter, 'on' | 'members'>): void {
    calls.on('encode-target', (target) => this.setEncodeTarget(target.quality, target.scale));
    calls.on('keyframe-needed', ({ layer }) => this.requestKeyframe(layer));
    calls.on('jpeg-fallback', ({ needed }) => this.setJpegFallback(needed));
    const fit = (): void => {
      const others = calls.members().members.filter((m) => m.state !== 'left').length;
      this.#setStreamCap(streamShare(others));
    };
    calls.on('member-joined', fit);
    calls.on('member-left', fit);
    calls.on('call-ended', () => this.#setStreamCap(null));
  }

  #setStreamCap(cap: number | null): void {
    this.#streamCap = cap;
    this.#capture?.setStreamCap(this.#streamCap);
  }

  /** Also encode a JPEG layer, for members that cannot decode H.264. */
  setJpegFallback(on: boolean): void {
    this.#jpegFallback = on;
    this.#capture?.setJpegFallback(on);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#active = false;
    const capture = this.#capture;
    this.#capture = null;
    await capture?.close();
    this.removeAllListeners();
  }
}
