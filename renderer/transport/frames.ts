/**
 * Binary video frames from the node (layout in main/ui-protocol.ts):
 *   byte 0      kind: 1 = a member's frame, 2 = our own (filtered) preview
 *   bytes 1-16  peer id (16 bytes; the 32 hex digits of the id)
 *   bytes 17-20 frame number, u32 big-endian
 *   bytes 21-22 width, u16 big-endian; bytes 23-24 height, u16 big-endian
 *   bytes 25-   the JPEG
 * The constants are repeated here because the renderer imports types only from main/;
 * test/ui checks that they match.
 */
import type { UiVideoFrame } from '../../protocol/ui-protocol.js';

export const FRAME_HEADER_BYTES = 25;
export const FRAME_KIND_REMOTE = 1;
export const FRAME_KIND_LOCAL = 2;
const PEER_ID_BYTES = 16;

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/**
 * Reads one binary frame message; null for anything malformed (too short, unknown kind,
 * zero size, or a payload that does not start like a JPEG). Never throws.
 */
export function decodeFrame(bytes: Uint8Array): UiVideoFrame | null {
  if (bytes.length < FRAME_HEADER_BYTES + 2) return null;
  const kindByte = bytes[0];
  const kind =
    kindByte === FRAME_KIND_REMOTE ? 'remote' : kindByte === FRAME_KIND_LOCAL ? 'local' : null;
  if (kind === null) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frame = view.getUint32(1 + PEER_ID_BYTES, false);
  const width = view.getUint16(21, false);
  const height = view.getUint16(23, false);
  if (width === 0 || height === 0) return null;
  const jpeg = bytes.subarray(FRAME_HEADER_BYTES);
  // Every JPEG starts with the SOI marker FF D8.
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return null;
  return { kind, peer: hex(bytes.subarray(1, 1 + PEER_ID_BYTES)), frame, width, height, jpeg };
}

/** Builds a frame message (the inverse of decodeFrame): for tests and tools. */
export function encodeFrame(frame: UiVideoFrame): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(frame.peer)) throw new RangeError('peer must be 32 hex digits');
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + frame.jpeg.length);
  bytes[0] = frame.kind === 'remote' ? FRAME_KIND_REMOTE : FRAME_KIND_LOCAL;
  for (let i = 0; i < PEER_ID_BYTES; i++) {
    bytes[1 + i] = parseInt(frame.peer.slice(i * 2, i * 2 + 2), 16);
  }
  const view = new DataView(bytes.buffer);
  view.setUint32(17, frame.frame >>> 0, false);
  view.setUint16(21, frame.width, false);
  view.setUint16(23, frame.height, false);
  bytes.set(frame.jpeg, FRAME_HEADER_BYTES);
  return bytes;
}
