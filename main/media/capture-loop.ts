/**
 * The capture worker's engine: paces itself to the frame rate, takes a frame from the
 * source, filters it, encodes it and posts it, with at most one frame waiting for the
 * parent's acknowledgement. It knows nothing of how messages travel, only a `post`.
 */
import type { CaptureConfig, EncodedFrame, FromWorker } from './capture-protocol.js';
import { MediaError, failureReasonOf, nativeErrorText } from './errors.js';
import { applyFilters } from './filter-effects.js';
import { FrameSchedule } from './frame-schedule.js';
import { FrameEncoder } from './frame-encoder.js';
import type { Mat } from './opencv.js';
import type { FrameRequest, FrameSource } from './sources.js';
import { openSource } from './sources.js';
import { formatSourceSpec } from './settings.js';

export type Post = (message: FromWorker) => void;

export class CaptureLoop {
  #config: CaptureConfig;
  readonly #post: Post;
  #source: FrameSource | null = null;
  #schedule: FrameSchedule;
  #frameNumber = 0;
  readonly #encoder = new FrameEncoder();
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #awaitingAck = false;
  /** Set after a filter or encoder failure, so a broken chain is not retried 30 times a second. */
  #halted = false;
  #closed = false;

  constructor(config: CaptureConfig, post: Post) {
    this.#config = config;
    this.#post = post;
    this.#schedule = new FrameSchedule(config.settings.fps, performance.now());
  }

  start(): void {
    if (this.#config.enabled) this.#open();
    this.#pump();
  }

  configure(change: Partial<CaptureConfig>): void {
    if (this.#closed) return;
    const before = this.#config;
    this.#config = { ...before, ...change };
    const { settings, enabled } = this.#config;
    const wasHalted = this.#halted;
    if (change.filters || change.source || change.settings) this.#halted = false;
    if (settings.fps !== before.settings.fps || (enabled && !before.enabled)) {
      this.#cancelTimer();
      this.#schedule = new FrameSchedule(settings.fps, performance.now());
    }
    const resized =
      settings.width !== before.settings.width || settings.height !== before.settings.height;
    if (!enabled) {
      // Video off releases the camera, so its light goes out.
      this.#closeSource();
      this.#cancelTimer();
    } else if (
      !before.enabled ||
      change.source ||
      (resized && this.#config.source.kind === 'camera')
    ) {
      // Cameras are reopened on a size change so they can switch to a matching mode.
      this.#closeSource();
      this.#open();
    } else if ((change.settings || (wasHalted && !this.#halted)) && this.#source) {
      // Also after a halt: the parent takes `started` as "pictures again".
      this.#announce();
    }
    this.#pump();
  }

  /** The next frame of this H.264 layer is to be an IDR. */
  requestKeyframe(layer: number): void {
    this.#encoder.requestKeyframe(layer);
  }

  ack(): void {
    this.#awaitingAck = false;
    this.#pump();
  }

  close(): void {
    this.#closed = true;
    this.#cancelTimer();
    this.#closeSource();
    this.#encoder.close();
  }

  #open(): void {
    try {
      this.#source = openSource(this.#config.source, this.#config.settings);
      this.#announce();
    } catch (err: unknown) {
      this.#source = null;
      this.#fail(err);
    }
  }

  #announce(): void {
    const { source, settings } = this.#config;
    this.#post({ type: 'started', source: formatSourceSpec(source), ...settings });
  }

  #closeSource(): void {
    this.#source?.close();
    this.#source = null;
  }

  #cancelTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #pump(): void {
    const idle = !this.#config.enabled || !this.#source || this.#halted;
    if (this.#closed || this.#busy || this.#awaitingAck || this.#timer || idle) return;
    const delay = this.#schedule.delay(performance.now());
    if (delay > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, delay);
      return;
    }
    this.#busy = true;
    this.#produce()
      .catch((err: unknown) => {
        this.#halted = true;
        this.#fail(err);
      })
      .finally(() => {
        this.#busy = false;
        this.#pump();
      });
  }

  async #produce(): Promise<void> {
    const source = this.#source;
    if (!source) return;
    const { settings, filters } = this.#config;
    const takenAt = performance.now();
    this.#schedule.taken(takenAt);
    const captureTs = performance.timeOrigin + takenAt;
    const request = { frameNumber: this.#frameNumber, captureTs, ...settings };
    const raw = this.#read(source, request);
    if (!raw) return;
    const filterStart = performance.now();
    const filtered = applyFilters(raw, filters);
    const encodeStart = performance.now();
    const layers = await this.#encoder.encode(filtered, captureTs, this.#config);
    const encodeEnd = performance.now();
    if (this.#closed) return;
    const frame: EncodedFrame = {
      frameNumber: this.#frameNumber,
      captureTs,
      layers,
      filterMs: encodeStart - filterStart,
      encodeMs: encodeEnd - encodeStart,
    };
    this.#frameNumber += 1;
    this.#awaitingAck = true;
    this.#post({ type: 'frame', frame });
  }

  /** A source that fails is closed for good: the loop idles until it is given another. */
  #read(source: FrameSource, request: FrameRequest): Mat | null {
    try {
      return source.read(request);
    } catch (err: unknown) {
      this.#closeSource();
      this.#fail(err);
      return null;
    }
  }

  #fail(err: unknown): void {
    const error =
      err instanceof MediaError
        ? err
        : new MediaError('ERR_CAPTURE_FAILED', `video capture failed: ${nativeErrorText(err)}`);
    const reason = failureReasonOf(error);
    this.#post({ type: 'error', code: error.code, message: error.message, reason });
  }
}
