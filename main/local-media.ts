import { TypedEmitter } from '../p2p/typed-emitter.js';
import type { MediaSettingsView } from './api.js';
import type { MediaError } from './media/errors.js';
import { validateFilters } from './media/filters.js';
import type { SourceSpec, VideoSettings } from './media/settings.js';
import { formatSourceSpec, parseResolution, validateSettings } from './media/settings.js';
import type { EncodedFrame } from './media/video-capture.js';
import { VideoCapture } from './media/video-capture.js';

export interface LocalMediaOptions {
  source: SourceSpec;
  settings: VideoSettings;
  filters: string[];
}

export interface LocalMediaEvents {
  [key: string]: unknown[];
  frame: [EncodedFrame];
  error: [MediaError];
  settings: [MediaSettingsView];
}

/**
 * This node's own camera (or file, or test pattern) as the user configured it. The
 * capture runs only while it is wanted (in a call, or a preview is open); settings
 * changed meanwhile are kept and apply at the next start.
 */
export class LocalMedia extends TypedEmitter<LocalMediaEvents> {
  #source: SourceSpec;
  #settings: VideoSettings;
  #filters: string[];
  #enabled = true;
  #capture: VideoCapture | null = null;
  #latest: EncodedFrame | null = null;
  #closed = false;

  constructor(options: LocalMediaOptions) {
    super();
    this.#source = options.source;
    this.#settings = validateSettings(options.settings);
    this.#filters = validateFilters(options.filters);
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

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Our newest encoded frame (the self view shows the filtered picture others get). */
  get latest(): EncodedFrame | null {
    return this.#latest;
  }

  get running(): boolean {
    return this.#capture !== null;
  }

  start(): void {
    if (this.#closed || this.#capture) return;
    const capture = new VideoCapture({
      source: this.#source,
      settings: this.#settings,
      filters: this.#filters,
    });
    capture.on('frame', (frame) => {
      this.#latest = frame;
      this.emit('frame', frame);
    });
    capture.on('error', (error) => this.emit('error', error));
    this.#capture = capture;
    capture.setEnabled(this.#enabled);
    capture.start();
  }

  async stop(): Promise<void> {
    const capture = this.#capture;
    this.#capture = null;
    this.#latest = null;
    await capture?.close();
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
    this.#capture?.setEnabled(enabled);
    if (!enabled) this.#latest = null;
    this.emit('settings', this.view);
  }

  /** Congestion control's choice for everything we send. */
  setEncodeTarget(quality: number, scale: number): void {
    this.#capture?.setQuality(quality);
    this.#capture?.setScale(scale);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stop();
    this.removeAllListeners();
  }
}
