/**
 * Plaintext of one sealed media frame: version(u8) ‖ stream(u8) ‖ frameNumber(u32) ‖
 * captureTs(f64) ‖ width(u16) ‖ height(u16) ‖ JPEG bytes, all big-endian.
 *
 * This metadata travels inside the seal, so it is the authoritative copy: the chunk header
 * repeats stream and frame number only so the receiver can reassemble before opening.
 */

export const FRAME_PAYLOAD_VERSION = 1;
export const FRAME_PAYLOAD_HEADER_BYTES = 18;

export interface FrameMeta {
  /** u8: one sender may send several streams (camera, screen). */
  stream: number;
  /** u32, increasing per stream. */
  frameNumber: number;
  /** Milliseconds since the epoch when the frame was captured; finite and ≥ 0. */
  captureTs: number;
  /** u16, ≥ 1. */
  width: number;
  /** u16, ≥ 1. */
  height: number;
}

export type FramePayloadFailure = 'truncated' | 'bad-version' | 'bad-field' | 'not-jpeg';

export type DecodedFramePayload =
  { ok: true; meta: FrameMeta; jpeg: Uint8Array } | { ok: false; reason: FramePayloadFailure };

const U8_MAX = 0xff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;

/** Throws on out-of-range fields or a `jpeg` the receiver would reject as not a JPEG. */
export function encodeFramePayload(meta: FrameMeta, jpeg: Uint8Array): Uint8Array {
  requireInteger(meta.stream, 0, U8_MAX, 'stream');
  requireInteger(meta.frameNumber, 0, U32_MAX, 'frameNumber');
  if (!validCaptureTs(meta.captureTs)) {
    throw new RangeError('captureTs must be a finite number ≥ 0');
  }
  requireInteger(meta.width, 1, U16_MAX, 'width');
  requireInteger(meta.height, 1, U16_MAX, 'height');
  if (!(jpeg instanceof Uint8Array)) throw new TypeError('jpeg must be a Uint8Array');
  // Sending it anyway would only make every receiver drop the frame after decrypting it.
  if (!looksLikeJpeg(jpeg)) throw new RangeError('jpeg must start with FF D8 and end with FF D9');

  const out = new Uint8Array(FRAME_PAYLOAD_HEADER_BYTES + jpeg.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, FRAME_PAYLOAD_VERSION);
  view.setUint8(1, meta.stream);
  view.setUint32(2, meta.frameNumber);
  view.setFloat64(6, meta.captureTs);
  view.setUint16(14, meta.width);
  view.setUint16(16, meta.height);
  out.set(jpeg, FRAME_PAYLOAD_HEADER_BYTES);
  return out;
}

/**
 * Never throws on content: the bytes come from a peer (authenticated, but possibly running
 * another version or buggy). The returned `jpeg` is a view into `bytes`, not a copy.
 */
export function decodeFramePayload(bytes: Uint8Array): DecodedFramePayload {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) return { ok: false, reason: 'truncated' };
  // Version first: a later version may have a different header length.
  if (bytes[0] !== FRAME_PAYLOAD_VERSION) return { ok: false, reason: 'bad-version' };
  if (bytes.length < FRAME_PAYLOAD_HEADER_BYTES) return { ok: false, reason: 'truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta: FrameMeta = {
    stream: view.getUint8(1),
    frameNumber: view.getUint32(2),
    captureTs: view.getFloat64(6),
    width: view.getUint16(14),
    height: view.getUint16(16),
  };
  if (!validCaptureTs(meta.captureTs) || meta.width === 0 || meta.height === 0) {
    return { ok: false, reason: 'bad-field' };
  }
  const jpeg = bytes.subarray(FRAME_PAYLOAD_HEADER_BYTES);
  if (!looksLikeJpeg(jpeg)) return { ok: false, reason: 'not-jpeg' };
  return { ok: true, meta, jpeg };
}

/** SOI at the start and EOI at the end; the decoder downstream does the real validation. */
function looksLikeJpeg(jpeg: Uint8Array): boolean {
  const n = jpeg.length;
  return (
    n >= 4 && jpeg[0] === 0xff && jpeg[1] === 0xd8 && jpeg[n - 2] === 0xff && jpeg[n - 1] === 0xd9
  );
}

function validCaptureTs(value: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function requireInteger(value: number, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}
