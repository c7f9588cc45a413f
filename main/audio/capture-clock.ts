import { VOICE_FRAME_SAMPLES, VOICE_SAMPLE_RATE } from '../../protocol/audio/voice-packet.js';

export const FRAME_MS = (VOICE_FRAME_SAMPLES / VOICE_SAMPLE_RATE) * 1000;
/**
 * After a stall (a blocked event loop, a suspended machine) we make up at most this many
 * frames at once; older ones are skipped, as a microphone's driver drops what nobody read.
 * A burst of stale frames would only arrive too late to play.
 */
export const MAX_CATCH_UP_FRAMES = 5;

export interface CaptureTick {
  /** Frame number since start (skipped frames count too). */
  index: number;
  /** Index of the frame's first sample on the 48 kHz sample clock since start. */
  sample: number;
  /** When the frame's first sample was captured, ms since the epoch (Date.now's clock). */
  captureTs: number;
}

export interface CaptureClockOptions {
  /** Monotonic ms, for the deadlines (never jumps). */
  monotonic?: () => number;
  /** Wall-clock ms since the epoch, for captureTs (the clock the rest of the node uses). */
  wall?: () => number;
}

/**
 * The 20 ms capture clock. Frame n is due when its last sample has been "captured": at
 * start + (n + 1) × 20 ms on a monotonic clock, so a timer that fires late delays that frame
 * but never shifts the ones after it (no drift), and a late timer emits every frame that is
 * due (catching up, up to MAX_CATCH_UP_FRAMES).
 */
export class CaptureClock {
  readonly #onFrame: (tick: CaptureTick) => void;
  readonly #monotonic: () => number;
  readonly #wall: () => number;
  #start = 0;
  #next = 0;
  #timer: NodeJS.Timeout | null = null;
  #skipped = 0;
  /** +1 on every start and stop: a fire that began before either ends there. */
  #generation = 0;

  constructor(onFrame: (tick: CaptureTick) => void, options: CaptureClockOptions = {}) {
    this.#onFrame = onFrame;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#wall = options.wall ?? (() => Date.now());
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  /** Frames dropped after stalls since start. */
  get skipped(): number {
    return this.#skipped;
  }

  start(): void {
    if (this.#timer) return;
    this.#generation++;
    this.#start = this.#monotonic();
    this.#next = 0;
    this.#skipped = 0;
    this.#arm();
  }

  stop(): void {
    this.#generation++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #due(index: number): number {
    return this.#start + (index + 1) * FRAME_MS;
  }

  #arm(): void {
    const delay = Math.max(0, this.#due(this.#next) - this.#monotonic());
    this.#timer = setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    const generation = this.#generation;
    const now = this.#monotonic();
    const dueFrames = Math.floor((now - this.#start) / FRAME_MS) - this.#next;
    if (dueFrames > MAX_CATCH_UP_FRAMES) {
      this.#skipped += dueFrames - MAX_CATCH_UP_FRAMES;
      this.#next += dueFrames - MAX_CATCH_UP_FRAMES;
    }
    // Wall time now minus how long ago (monotonic) the frame began: captureTs follows the
    // wall clock the receiver compares against, even if that clock was stepped meanwhile.
    const wallNow = this.#wall();
    while (this.#generation === generation && this.#due(this.#next) <= now) {
      const index = this.#next++;
      const frameStart = this.#start + index * FRAME_MS;
      this.#onFrame({
        index,
        sample: index * VOICE_FRAME_SAMPLES,
        captureTs: wallNow - (now - frameStart),
      });
    }
    // A listener may have stopped (or restarted) us.
    if (this.#generation === generation) this.#arm();
  }
}
