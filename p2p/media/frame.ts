/**
 * Plaintext of one sealed media frame, version 2: version(u8) ‖ stream(u8) ‖ frameNumber(u32) ‖
 * captureTs(f64) ‖ width(u16) ‖ height(u16) ‖ codec(u8: 0 jpeg, 1 h264) ‖ flags(u8: bit 0
 * keyframe) ‖ data, all big-endian. `stream` is the layer (0 = best); frame numbers count per
 * stream.
 *
 * This metadata travels inside the seal, so it is the authoritative copy: the chunk header
 * repeats stream and frame number only so the receiver can reassemble before opening.
 */

export const FRAME_PAYLOAD_VERSION = 2;
export const FRAME_PAYLOAD_HEADER_BYTES = 20;

export type VideoCodec = 'jpeg' | 'h264';
const CODECS: readonly VideoCodec[] = ['jpeg', 'h264'];
const KEYFRAME_FLAG = 0x01;

export interface FrameMeta {
  /** u8: the layer (0 = best); one sender sends several. */
  stream: number;
  /** u32, increasing per stream. */
  frameNumber: number;
  /** Milliseconds since the epoch when the frame was captured; finite and ≥ 0. */
  captureTs: number;
  /** u16, ≥ 1. */
  width: number;
  /** u16, ≥ 1. */
  height: number;
  codec: VideoCodec;
  /** Decodable on its own; always true for a JPEG. */
  keyframe: boolean;
}

export type FramePayloadFailure =
  'truncated' | 'bad-version' | 'bad-field' | 'not-jpeg' | 'not-annex-b';

export type DecodedFramePayload =
  { ok: true; meta: FrameMeta; data: Uint8Array } | { ok: false; reason: FramePayloadFailure };

const U8_MAX = 0xff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;

/** Throws on out-of-range fields or `data` the receiver would reject for its codec. */
export function encodeFramePayload(meta: FrameMeta, data: Uint8Array): Uint8Array {
  requireInteger(meta.stream, 0, U8_MAX, 'stream');
  requireInteger(meta.frameNumber, 0, U32_MAX, 'frameNumber');
  if (!validCaptureTs(meta.captureTs)) {
    throw new RangeError('captureTs must be a finite number ≥ 0');
  }
  requireInteger(meta.width, 1, U16_MAX, 'width');
  requireInteger(meta.height, 1, U16_MAX, 'height');
  const codec = CODECS.indexOf(meta.codec);
  if (codec < 0) throw new RangeError(`unknown codec ${String(meta.codec)}`);
  if (meta.codec === 'jpeg' && !meta.keyframe) throw new RangeError('a JPEG is always a keyframe');
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  // Sending it anyway would only make every receiver drop the frame after decrypting it.
  const bad = contentFailure(meta.codec, data);
  if (bad === 'not-jpeg') throw new RangeError('a JPEG must start with FF D8 and end with FF D9');
  if (bad) throw new RangeError('H.264 data must be Annex B (start with a start code)');

  const out = new Uint8Array(FRAME_PAYLOAD_HEADER_BYTES + data.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, FRAME_PAYLOAD_VERSION);
  view.setUint8(1, meta.stream);
  view.setUint32(2, meta.frameNumber);
  view.setFloat64(6, meta.captureTs);
  view.setUint16(14, meta.width);
  view.setUint16(16, meta.height);
  view.setUint8(18, codec);
  view.setUint8(19, meta.keyframe ? KEYFRAME_FLAG : 0);
  out.set(data, FRAME_PAYLOAD_HEADER_BYTES);
  return out;
}

/**
 * Never throws on content: the bytes come from a peer (authenticated, but possibly running
 * another version or buggy). The returned `data` is a view into `bytes`, not a copy.
 */
export function decodeFramePayload(bytes: Uint8Array): DecodedFramePayload {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) return { ok: false, reason: 'truncated' };
  // Version first: another version may have a different header length.
  if (bytes[0] !== FRAME_PAYLOAD_VERSION) return { ok: false, reason: 'bad-version' };
  if (bytes.length < FRAME_PAYLOAD_HEADER_BYTES) return { ok: false, reason: 'truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const codec = CODECS[view.getUint8(18)];
  const flags = view.getUint8(19);
  // Unknown flag bits are refused rather than ignored: they could change the meaning.
  if (codec === undefined || (flags & ~KEYFRAME_FLAG) !== 0) {
    return { ok: false, reason: 'bad-field' };
  }
  const meta: FrameMeta = {
    stream: view.getUint8(1),
    frameNumber: view.getUint32(2),
    captureTs: view.getFloat64(6),
    width: view.getUint16(14),
    height: view.getUint16(16),
    codec,
    keyframe: (flags & KEYFRAME_FLAG) !== 0,
  };
  if (
    !validCaptureTs(meta.captureTs) ||
    meta.width === 0 ||
    meta.height === 0 ||
    (codec === 'jpeg' && !meta.keyframe)
  ) {
    return { ok: false, reason: 'bad-field' };
  }
  const data = bytes.subarray(FRAME_PAYLOAD_HEADER_BYTES);
  const bad = contentFailure(codec, data);
  return bad ? { ok: false, reason: bad } : { ok: true, meta, data };
}

/** A shallow check per codec; the decoder downstream does the real validation. */
function contentFailure(codec: VideoCodec, data: Uint8Array): FramePayloadFailure | null {
  const n = data.length;
  if (codec === 'jpeg') {
    const jpeg = n >= 4 && data[0] === 0xff && data[1] === 0xd8;
    return jpeg && data[n - 2] === 0xff && data[n - 1] === 0xd9 ? null : 'not-jpeg';
  }
  // Annex B: the access unit starts with a 3- or 4-byte start code and a NAL header after it.
  const start = data[0] === 0 && data[1] === 0 ? (data[2] === 1 ? 3 : data[2] === 0 ? 4 : 0) : 0;
  const annexB = start > 0 && (start === 3 || data[3] === 1) && n > start;
  return annexB ? null : 'not-annex-b';
}

function validCaptureTs(value: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function requireInteger(value: number, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}
