import type { Logger } from '../p2p/base/logger.js';
import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type { MediaSettingsView } from '../protocol/api.js';
import type { SourceError } from './media/errors.js';
import { validateFilters } from './media/filters.js';
import type { SourceFailure } from './media/source-state.js';
import { sourceStateOf } from './media/source-state.js';
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
  /** Where a failing source's own words go (the interface shows plain ones instead). */
  logger?: Logger | undefined;
}

export interface LocalMediaEvents {
  frame: [EncodedFrame];
  /** The settings, or whether the source works (`sourceState`), changed. */
  settings: [MediaSettingsView];
}

/** What LocalMedia needs of the calls. */
export type MediaCalls = Pick<CallAdapter, 'on' | 'members' | 'call'>;

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
  /** The source delivers pictures (it opened, or frames arrive). */
  #live = false;
  /** Why the source gave no pictures; cleared when it is opened again. */
  #failure: SourceFailure | null = null;
  /** What the other members were told of our video: on only while pictures flow. */
  #sending = true;
  #calls: MediaCalls | null = null;
  readonly #log: Logger | undefined;

  constructor(options: LocalMediaOptions) {
    super();
    this.#source = options.source;
    this.#settings = validateSettings(options.settings);
    this.#filters = validateFilters(options.filters);
    this.#codec = options.codec ?? 'h264';
    this.#log = options.logger;
  }

  get view(): MediaSettingsView {
    return {
      source: formatSourceSpec(this.#source),
      width: this.#settings.width,
      height: this.#settings.height,
      fps: this.#settings.fps,
      filters: [...this.#filters],
      enabled: this.#enabled,
      sourceState: sourceStateOf({
        enabled: this.#enabled,
        active: this.#active,
        live: this.#live,
        failure: this.#failure,
        source: this.#source,
      }),
    };
  }

  /** Whether the others see our video: it is on and its source delivers pictures. */
  get sending(): boolean {
    return this.#sending;
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
    // Becoming active opens the source again: a failure from before may be gone.
    if (!this.#active) this.#reopening();
    this.#active = true;
    const capture = this.#ensureCapture();
    // A capture process that exited (OpenCV would not load, it crashed) starts again here;
    // one still running is left as it is.
    capture?.start();
    capture?.setEnabled(this.#enabled);
    this.#changed();
  }

  /** Stops frames and releases the camera; the capture process stays warm. */
  stop(): Promise<void> {
    this.#active = false;
    this.#latest = null;
    this.#reopening();
    this.#capture?.setEnabled(false);
    this.#changed();
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
      // A frame encoded before the source failed may arrive after the failure: only
      // `started` (a source opened) ends a failure.
      if (!this.#live && !this.#failure) this.#becameLive();
      this.emit('frame', frame);
    });
    capture.on('started', () => this.#becameLive());
    capture.on('error', (error) => this.#failed(error));
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
    this.#reopening();
    this.#capture?.setSource(source);
    // A capture process that ended (it reported why) is started again for the new source.
    this.#capture?.start();
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
    if (enabled !== this.#enabled) this.#reopening();
    this.#enabled = enabled;
    this.#capture?.setEnabled(enabled && this.#active);
    if (enabled) this.#capture?.start();
    else this.#latest = null;
    this.emit('settings', this.view);
    this.#changed();
  }

  /** The source is about to be opened (again): neither live nor failed until it says. */
  #reopening(): void {
    this.#live = false;
    this.#failure = null;
  }

  #becameLive(): void {
    if (this.#closed || (this.#live && !this.#failure)) return;
    this.#live = true;
    this.#failure = null;
    this.emit('settings', this.view);
    this.#changed();
  }

  /** The pictures stopped: the log gets the native words, front ends the plain state. */
  #failed(error: SourceError): void {
    if (this.#closed) return;
    this.#log?.warn('video source failed', {
      source: formatSourceSpec(this.#source),
      code: error.code,
      reason: error.reason,
      detail: error.message,
    });
    this.#live = false;
    this.#latest = null;
    this.#failure = { code: error.code, reason: error.reason };
    this.emit('settings', this.view);
    this.#changed();
  }

  /** Tells the call when what the others should see of us changed. */
  #changed(): void {
    // Off or failed: off at once. Starting: as before, until pictures come (or do not).
    const next = this.#enabled && !this.#failure && (this.#live || this.#sending);
    if (next === this.#sending) return;
    this.#sending = next;
    this.#calls?.call?.announceVideo(next);
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
  followCalls(calls: MediaCalls): void {
    this.#calls = calls;
    // A new call starts out believing our video is on; tell it otherwise before links open.
    calls.on('call-started', () => calls.call?.announceVideo(this.#sending));
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
