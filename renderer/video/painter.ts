import type { UiVideoFrame } from '../../protocol/ui-protocol.js';

export interface PainterEvents {
  /** After a frame is on the canvas. */
  drawn(frame: UiVideoFrame, count: number): void;
}

/**
 * Draws JPEG frames onto one canvas. At most one decode runs at a time; frames arriving
 * meanwhile replace each other, so only the newest waits and older ones are dropped.
 */
export class CanvasPainter {
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D | null;
  readonly #events: PainterEvents;
  #decoding = false;
  #pending: UiVideoFrame | null = null;
  #lastFrame = -1;
  #drawn = 0;
  #disposed = false;

  constructor(canvas: HTMLCanvasElement, events: PainterEvents) {
    this.#canvas = canvas;
    this.#context = canvas.getContext('2d', { alpha: false });
    this.#events = events;
  }

  get drawn(): number {
    return this.#drawn;
  }

  push(frame: UiVideoFrame): void {
    if (this.#disposed) return;
    if (this.#decoding) {
      this.#pending = frame;
      return;
    }
    void this.#paint(frame);
  }

  dispose(): void {
    this.#disposed = true;
    this.#pending = null;
  }

  async #paint(frame: UiVideoFrame): Promise<void> {
    this.#decoding = true;
    try {
      // Copy into a fresh ArrayBuffer-backed view: the frame may be a view into a larger buffer.
      const bytes = new Uint8Array(frame.jpeg);
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
      try {
        if (!this.#disposed && this.#context) {
          if (this.#canvas.width !== bitmap.width || this.#canvas.height !== bitmap.height) {
            this.#canvas.width = bitmap.width;
            this.#canvas.height = bitmap.height;
          }
          this.#context.drawImage(bitmap, 0, 0);
          this.#lastFrame = frame.frame;
          this.#drawn += 1;
          this.#events.drawn(frame, this.#drawn);
        }
      } finally {
        bitmap.close();
      }
    } catch {
      // A JPEG that does not decode is skipped; the next frame replaces it.
    } finally {
      this.#decoding = false;
    }
    const next = this.#pending;
    this.#pending = null;
    if (next && !this.#disposed) this.push(next);
  }

  /** The number of the frame on the canvas, or -1. */
  get lastFrame(): number {
    return this.#lastFrame;
  }
}
