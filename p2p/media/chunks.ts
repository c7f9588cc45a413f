/**
 * Splitting a sealed media frame into data-channel messages and parsing them back.
 *
 * Each message is a fixed header, big-endian:
 *   version(u8) ‖ stream(u8) ‖ frameNumber(u32) ‖ chunkIndex(u16) ‖ chunkCount(u16) ‖
 *   totalBytes(u32)
 * followed by the chunk's body. The header is not authenticated: it only steers
 * reassembly, and the sealed frame it rebuilds is authenticated when opened.
 *
 * Body sizes are a pure function of (totalBytes, chunkCount), so a receiver can check every
 * chunk's length without knowing the sender's message size: every chunk but the last carries
 * `chunkBodyBytes(totalBytes, chunkCount)` = ceil(totalBytes / chunkCount) bytes and the last
 * carries the rest, which must be at least one byte. The sender picks the smallest chunkCount
 * that fits its message size and then spreads the bytes evenly, so the last chunk is never
 * much smaller than the others.
 */

export const CHUNK_VERSION = 1;
export const CHUNK_HEADER_BYTES = 14;
/** Whole message, header included: node-datachannel/SCTP handles 16 KiB messages well everywhere. */
export const DEFAULT_CHUNK_BYTES = 16 * 1024;
export const MAX_CHUNKS = 1024;
/** Largest sealed frame a receiver will reassemble; well above any sane JPEG for a call. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export type ChunkFailure = 'truncated' | 'bad-version' | 'bad-index' | 'bad-count' | 'bad-size';

export interface ParsedChunk {
  ok: true;
  stream: number;
  frameNumber: number;
  chunkIndex: number;
  chunkCount: number;
  totalBytes: number;
  /** A view into the message, not a copy. */
  body: Uint8Array;
}

export type ChunkParseResult = ParsedChunk | { ok: false; reason: ChunkFailure };

/**
 * Body size of every chunk but the last. Only meaningful for a valid shape (see
 * `validShape`); callers outside this module normally do not need it.
 */
export function chunkBodyBytes(totalBytes: number, chunkCount: number): number {
  return Math.ceil(totalBytes / chunkCount);
}

/** Length of chunk `index`'s body in a frame of this shape. */
export function chunkBodyLength(totalBytes: number, chunkCount: number, index: number): number {
  const body = chunkBodyBytes(totalBytes, chunkCount);
  return index === chunkCount - 1 ? totalBytes - body * (chunkCount - 1) : body;
}

export function splitIntoChunks(
  sealed: Uint8Array,
  header: { stream: number; frameNumber: number },
  maxMessageBytes = DEFAULT_CHUNK_BYTES,
): Uint8Array[] {
  if (!(sealed instanceof Uint8Array)) throw new TypeError('sealed must be a Uint8Array');
  requireInteger(header.stream, 0, 0xff, 'stream');
  requireInteger(header.frameNumber, 0, 0xffff_ffff, 'frameNumber');
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes <= CHUNK_HEADER_BYTES) {
    throw new RangeError(
      `maxMessageBytes must be an integer above the ${CHUNK_HEADER_BYTES}-byte header, got ${maxMessageBytes}`,
    );
  }
  const totalBytes = sealed.length;
  // Receivers reject both, so sending them would only waste the link.
  if (totalBytes === 0) throw new RangeError('cannot send an empty frame');
  if (totalBytes > MAX_FRAME_BYTES) {
    throw new RangeError(`frame of ${totalBytes} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
  const chunkCount = Math.ceil(totalBytes / (maxMessageBytes - CHUNK_HEADER_BYTES));
  if (chunkCount > MAX_CHUNKS) {
    throw new RangeError(
      `frame of ${totalBytes} bytes needs ${chunkCount} chunks of ${maxMessageBytes} bytes (max ${MAX_CHUNKS})`,
    );
  }
  // With chunkCount minimal, (chunkCount - 1) * capacity < totalBytes and the even body size
  // is ≤ capacity, so the last chunk always keeps at least one byte: the shape is valid.
  const body = chunkBodyBytes(totalBytes, chunkCount);
  const chunks: Uint8Array[] = [];
  for (let index = 0; index < chunkCount; index++) {
    const start = index * body;
    const end = Math.min(start + body, totalBytes);
    const message = new Uint8Array(CHUNK_HEADER_BYTES + end - start);
    const view = new DataView(message.buffer);
    view.setUint8(0, CHUNK_VERSION);
    view.setUint8(1, header.stream);
    view.setUint32(2, header.frameNumber);
    view.setUint16(6, index);
    view.setUint16(8, chunkCount);
    view.setUint32(10, totalBytes);
    message.set(sealed.subarray(start, end), CHUNK_HEADER_BYTES);
    chunks.push(message);
  }
  return chunks;
}

/** Every message off the network gets a result; only a non-Uint8Array argument throws. */
export function parseChunk(message: Uint8Array): ChunkParseResult {
  if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
  if (message.length === 0) return fail('truncated');
  // Version first: a later version may have a different header length.
  if (message[0] !== CHUNK_VERSION) return fail('bad-version');
  if (message.length < CHUNK_HEADER_BYTES) return fail('truncated');
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const stream = view.getUint8(1);
  const frameNumber = view.getUint32(2);
  const chunkIndex = view.getUint16(6);
  const chunkCount = view.getUint16(8);
  const totalBytes = view.getUint32(10);
  if (chunkCount === 0 || chunkCount > MAX_CHUNKS) return fail('bad-count');
  if (totalBytes === 0 || totalBytes > MAX_FRAME_BYTES) return fail('bad-size');
  // A count no sender could produce for this size: the last chunk would be empty.
  if (!validShape(totalBytes, chunkCount)) return fail('bad-count');
  if (chunkIndex >= chunkCount) return fail('bad-index');
  const body = message.subarray(CHUNK_HEADER_BYTES);
  if (body.length !== chunkBodyLength(totalBytes, chunkCount, chunkIndex)) return fail('bad-size');
  return { ok: true, stream, frameNumber, chunkIndex, chunkCount, totalBytes, body };
}

/**
 * True exactly for the shapes `splitIntoChunks` produces for some message size: with
 * b = ceil(total / count), ceil(total / b) = count iff (count - 1) * b < total.
 */
function validShape(totalBytes: number, chunkCount: number): boolean {
  return chunkBodyBytes(totalBytes, chunkCount) * (chunkCount - 1) < totalBytes;
}

function fail(reason: ChunkFailure): ChunkParseResult {
  return { ok: false, reason };
}

function requireInteger(value: number, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}
