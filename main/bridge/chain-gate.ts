/**
 * Which frames of which streams one UI client may still be sent. A client that had to skip
 * a frame (it was still writing the one before) cannot decode the H.264 frames after it:
 * those are held back until the stream's next keyframe, so the page never gets a frame it
 * cannot decode. A client also starts every stream at a keyframe.
 */
export class ChainGate {
  /** Streams whose chain this client has, unbroken, since a keyframe. */
  readonly #flowing = new Set<string>();

  /**
   * Whether a frame may be sent. `delta`: it decodes only after the frame before it (an
   * H.264 frame that is not a keyframe); false for keyframes and JPEGs.
   */
  admits(stream: string, delta: boolean): boolean {
    if (!delta) this.#flowing.add(stream);
    return this.#flowing.has(stream);
  }

  /** The client skipped a frame of `stream`: nothing more until its next keyframe. */
  skipped(stream: string): void {
    this.#flowing.delete(stream);
  }
}
