import type { UiVideo, UiVideoCodec } from '../../protocol/ui-protocol.js';
import { isEncodedFrame } from '../../protocol/ui-frames.js';
import type { H264StreamStats } from './h264-stream.js';
import { H264Stream } from './h264-stream.js';

export interface DrawnFrame {
  frame: number;
  codec: UiVideoCodec;
}

export interface PainterEvents {
  /** After a frame is on the canvas. */
  drawn(frame: DrawnFrame, count: number): void;
  /** The H.264 picture froze on a broken chain: ask the sender for a keyframe. */
  needKeyframe(): void;
}

/**
 * Draws one stream's frames onto one canvas: JPEGs through createImageBitmap (one decode at
 * a time; frames arriving meanwhile replace each other, so only the newest waits), H.264
 * through a WebCodecs decoder (every frame decoded in order, each picture drawn and closed).
 * On a broken H.264 chain the last good picture stays until a keyframe arrives.
 */
export class CanvasPainter {
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D | null;
  readonly #events: PainterEvents;
  #h264: H264Stream | null = null;
  #decoding = false;
  #pending: { frame: number; jpeg: Uint8Array } | null = null;
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

  /** The H.264 decoder's figures, or null before the first H.264 frame. */
  get h264(): Readonly<H264StreamStats> | null {
    return this.#h264?.stats ?? null;
  }

  push(frame: UiVideo): void {
    if (this.#disposed) return;
    if (isEncodedFrame(frame) && frame.codec === 'h264') {
      this.#h264 ??= new H264Stream({
        picture: (picture, frameNumber) => this.#drawPicture(picture, frameNumber),
        needKeyframe: () => this.#events.needKeyframe(),
      });
      this.#h264.push(frame);
      return;
    }
    const jpeg = { frame: frame.frame, jpeg: isEncodedFrame(frame) ? frame.data : frame.jpeg };
    if (this.#decoding) {
      this.#pending = jpeg;
      return;
    }
    void this.#paintJpeg(jpeg);
  }

  dispose(): void {
    this.#disposed = true;
    this.#pending = null;
    this.#h264?.close();
    this.#h264 = null;
  }

  #drawPicture(picture: VideoFrame, frameNumber: number): void {
    try {
      if (this.#disposed) return;
      this.#draw(picture, picture.displayWidth, picture.displayHeight);
      this.#shown(frameNumber, 'h264');
    } finally {
      picture.close();
    }
  }

  #draw(image: CanvasImageSource, width: number, height: number): void {
    if (!this.#context) return;
    if (this.#canvas.width !== width || this.#canvas.height !== height) {
      this.#canvas.width = width;
      this.#canvas.height = height;
    }
    this.#context.drawImage(image, 0, 0);
  }

  #shown(frame: number, codec: UiVideoCodec): void {
    this.#lastFrame = frame;
    this.#drawn += 1;
    this.#events.drawn({ frame, codec }, this.#drawn);
  }

  async #paintJpeg(frame: { frame: number; jpeg: Uint8Array }): Promise<void> {
    this.#decoding = true;
    try {
      // Copy into a fresh ArrayBuffer-backed view: the frame may be a view into a larger buffer.
      const bytes = new Uint8Array(frame.jpeg);
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
      try {
        if (!this.#disposed && this.#context) {
          this.#draw(bitmap, bitmap.width, bitmap.height);
          this.#shown(frame.frame, 'jpeg');
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
    if (next && !this.#disposed) void this.#paintJpeg(next);
  }

  /** The number of the frame on the canvas, or -1. */
  get lastFrame(): number {
    return this.#lastFrame;
  }
}
