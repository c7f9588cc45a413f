import { MeshError } from '../base/errors.js';

/** Signaling frames: u32 big-endian length, then the payload. */
export const FRAME_HEADER_BYTES = 4;
/** Offers with many candidates stay well under this; anything larger is an attack or a bug. */
export const MAX_FRAME_BYTES = 64 * 1024;

export function encodeFrame(payload: Uint8Array, maxBytes = MAX_FRAME_BYTES): Uint8Array {
  if (payload.length > maxBytes) {
    throw new MeshError(
      'ERR_FRAME_TOO_LARGE',
      `frame of ${payload.length} bytes exceeds ${maxBytes}`,
    );
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Incremental decoder for a byte stream. Never buffers more than one frame plus one
 * header: an oversized length is rejected as soon as its header arrives.
 */
export class FrameDecoder {
  #buffer = new Uint8Array(0);
  readonly #maxBytes: number;

  constructor(maxBytes = MAX_FRAME_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** True while a frame has started but not finished (used for the slow-loris deadline). */
  get hasPartialFrame(): boolean {
    return this.#buffer.length > 0;
  }

  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  /** Returns the complete frames in `chunk`; throws MeshError(ERR_FRAME_TOO_LARGE) on a bad length. */
  push(chunk: Uint8Array): Uint8Array[] {
    let data: Uint8Array;
    if (this.#buffer.length === 0) {
      data = chunk;
    } else {
      data = new Uint8Array(this.#buffer.length + chunk.length);
      data.set(this.#buffer);
      data.set(chunk, this.#buffer.length);
    }
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_BYTES) {
      const length = new DataView(data.buffer, data.byteOffset + offset, 4).getUint32(0);
      if (length > this.#maxBytes) {
        throw new MeshError(
          'ERR_FRAME_TOO_LARGE',
          `peer announced a frame of ${length} bytes (limit ${this.#maxBytes})`,
        );
      }
      if (data.length - offset - FRAME_HEADER_BYTES < length) break;
      const start = offset + FRAME_HEADER_BYTES;
      // Copies into plain Uint8Arrays: a Buffer's slice() would alias the socket's chunk.
      frames.push(new Uint8Array(data.subarray(start, start + length)));
      offset = start + length;
    }
    this.#buffer = new Uint8Array(data.subarray(offset));
    return frames;
  }
}
