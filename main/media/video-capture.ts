/**
 * The local camera (or file, or test pattern) as a stream of encoded frames. Capture,
 * filtering and JPEG encoding run in a child process (capture-worker.ts); this side
 * validates every change synchronously, forwards it, and re-emits what the process
 * produces. It never loads OpenCV, so the caller's event loop only ever sees messages.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TypedEmitter } from '../../p2p/base/typed-emitter.js';
import type {
  CaptureConfig,
  EncodedFrame,
  FromWorker,
  StartedInfo,
  ToWorker,
  VideoCodec,
} from './capture-protocol.js';
import { MediaError, SourceError } from './errors.js';
import { validateFilters } from './filters.js';
import { checkBitrate } from './layer-plan.js';
import { DEFAULT_QUALITY, validateQuality } from './jpeg-quality.js';
import type { SourceSpec, VideoSettings } from './settings.js';
import { validateSettings } from './settings.js';

export type {
  EncodedFrame,
  EncodedLayerFrame,
  StartedInfo,
  VideoCodec,
} from './capture-protocol.js';

export interface VideoCaptureEvents {
  frame: [EncodedFrame];
  /**
   * The pictures stopped (the source failed, the process ended): `reason` says why. Like any
   * EventEmitter 'error', it throws when nobody listens: always listen.
   */
  error: [SourceError];
  /** A source opened, or the settings of the running one changed. */
  started: [StartedInfo];
}

export interface VideoCaptureOptions {
  source: SourceSpec;
  settings: VideoSettings;
  filters?: string[];
  /** JPEG quality 10..95, default 75. */
  quality?: number;
  /** Default h264 (simulcast layers); jpeg is the single-JPEG path of old. */
  codec?: VideoCodec;
}

const MIN_SCALE = 0.25;
// How long the capture process gets to release its camera before it is killed.
const CLOSE_GRACE_MS = 2000;
const WORKER_SCRIPT = fileURLToPath(new URL('./capture-worker.js', import.meta.url));

export class VideoCapture extends TypedEmitter<VideoCaptureEvents> {
  #config: CaptureConfig;
  #worker: ChildProcess | null = null;
  #closing: Promise<void> | null = null;
  /** The process already said why it is ending; its exit needs no second error. */
  #fatalReported = false;

  constructor(options: VideoCaptureOptions) {
    super();
    this.#config = {
      source: { ...options.source },
      settings: validateSettings(options.settings),
      filters: validateFilters(options.filters ?? []),
      quality: validateQuality(options.quality ?? DEFAULT_QUALITY),
      scale: 1,
      enabled: true,
      codec: options.codec ?? 'h264',
      bitrates: [],
      jpegFallback: false,
      streamCap: null,
    };
  }

  get settings(): VideoSettings {
    return { ...this.#config.settings };
  }

  get filters(): string[] {
    return [...this.#config.filters];
  }

  get source(): SourceSpec {
    return { ...this.#config.source };
  }

  get quality(): number {
    return this.#config.quality;
  }

  get scale(): number {
    return this.#config.scale;
  }

  get codec(): VideoCodec {
    return this.#config.codec;
  }

  get enabled(): boolean {
    return this.#config.enabled;
  }

  /** The capture process, for logs and diagnostics; null when none is running. */
  get pid(): number | null {
    return this.#worker?.pid ?? null;
  }

  /** Starts the capture process; a second call does nothing. Throws once the capture is closed. */
  start(): void {
    if (this.#closing) throw new MediaError('ERR_CAPTURE_FAILED', 'this video capture is closed');
    if (this.#worker) return;
    const worker = fork(WORKER_SCRIPT, [], {
      // Structured clone keeps the JPEG bytes binary instead of turning them into JSON.
      serialization: 'advanced',
      // Its stdout would mix into ours, which is the headless node's event stream.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // Not the parent's flags: an --inspect port, for one, cannot be opened twice.
      execArgv: [],
    });
    worker.on('message', (message: FromWorker) => this.#onMessage(message));
    worker.on('error', (err) =>
      this.#fail(`the video capture process failed: ${err.message}`, err),
    );
    worker.on('exit', (code, signal) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      if (!this.#fatalReported) this.#fail(`the video capture process ended unexpectedly (${how})`);
    });
    this.#worker = worker;
    this.#fatalReported = false;
    this.#send({ type: 'start', config: this.#config });
  }

  setSource(source: SourceSpec): void {
    this.#configure({ source: { ...source } });
  }

  setSettings(settings: VideoSettings): void {
    this.#configure({ settings: validateSettings(settings) });
  }

  /** Throws MediaError and changes nothing on a bad list; otherwise applies from the next frame. */
  setFilters(names: string[]): void {
    this.#configure({ filters: validateFilters(names) });
  }

  setQuality(quality: number): void {
    this.#configure({ quality: validateQuality(quality) });
  }

  /** Encode at this fraction (0.25..1) of the capture size; congestion control's lever. */
  setScale(scale: number): void {
    if (!Number.isFinite(scale) || scale < MIN_SCALE || scale > 1) {
      throw new MediaError(
        'ERR_BAD_SETTINGS',
        `bad encode scale ${scale}: expected ${MIN_SCALE} to 1`,
      );
    }
    this.#configure({ scale });
  }

  /** The next frame of H.264 layer `layer` will be a keyframe (IDR); ignored with JPEG. */
  requestKeyframe(layer: number): void {
    if (!Number.isInteger(layer) || layer < 0) {
      throw new MediaError('ERR_BAD_SETTINGS', `bad layer ${layer}: expected a whole number ≥ 0`);
    }
    this.#send({ type: 'keyframe', layer });
  }

  /** Target bits per second for H.264 layer `layer`, from the next frame on, without a keyframe. */
  setBitrate(layer: number, bitrate: number): void {
    let checked: number;
    try {
      checked = checkBitrate(bitrate);
    } catch (err: unknown) {
      throw new MediaError('ERR_BAD_SETTINGS', (err as Error).message);
    }
    const bitrates = [...this.#config.bitrates];
    bitrates[layer] = checked;
    this.#configure({ bitrates });
  }

  /** Caps every H.264 layer at `bitrate` bits per second (null lifts the cap). */
  setStreamCap(bitrate: number | null): void {
    let checked: number | null;
    try {
      checked = bitrate === null ? null : checkBitrate(bitrate);
    } catch (err: unknown) {
      throw new MediaError('ERR_BAD_SETTINGS', (err as Error).message);
    }
    if (checked !== this.#config.streamCap) this.#configure({ streamCap: checked });
  }

  /** With H.264, also send a JPEG layer (for members that cannot decode H.264). */
  setJpegFallback(on: boolean): void {
    if (on !== this.#config.jpegFallback) this.#configure({ jpegFallback: on });
  }

  /** Video off: no frames and the camera released, while the capture process stays ready. */
  setEnabled(enabled: boolean): void {
    this.#configure({ enabled });
  }

  /** Stops the capture process, letting it release its camera first. Safe to call again. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  #configure(change: Partial<CaptureConfig>): void {
    this.#config = { ...this.#config, ...change };
    this.#send({ type: 'configure', change });
  }

  #send(message: ToWorker): void {
    if (!this.#closing && this.#worker?.connected) this.#worker.send(message);
  }

  #fail(message: string, cause?: unknown): void {
    if (!this.#closing) {
      this.emit(
        'error',
        new SourceError('ERR_CAPTURE_FAILED', 'capture-failed', message, { cause }),
      );
    }
  }

  #onMessage(message: FromWorker): void {
    if (this.#closing) return;
    switch (message.type) {
      case 'frame':
        try {
          this.emit('frame', message.frame);
        } finally {
          this.#send({ type: 'ack' });
        }
        break;
      case 'started': {
        const { source, width, height, fps } = message;
        this.emit('started', { source, width, height, fps });
        break;
      }
      case 'error':
        if (message.fatal) this.#fatalReported = true;
        this.emit(
          'error',
          new SourceError(message.code, message.reason ?? 'capture-failed', message.message),
        );
        break;
    }
  }

  async #shutdown(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (worker.connected) worker.send({ type: 'close' } satisfies ToWorker);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
    });
    const outcome = await Promise.race([exited, graceOver]);
    clearTimeout(timer);
    if (outcome === 'late') {
      worker.kill('SIGKILL');
      await exited;
    }
    this.#worker = null;
  }
}
