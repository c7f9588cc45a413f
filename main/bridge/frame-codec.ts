/**
 * Video frames in the binary layout of main/ui-protocol.ts, shared by the browser bridge
 * (WebSocket binary messages) and the Electron shell (IPC).
 */
import type { UiVideoFrame } from '../../protocol/ui-protocol.js';
import { FRAME_HEADER_BYTES, FRAME_KIND_LOCAL, FRAME_KIND_REMOTE } from '../../protocol/ui-protocol.js';
import { BridgeError } from './errors.js';

const PEER_ID = /^[0-9a-f]{32}$/;

export function encodeUiFrame(frame: UiVideoFrame): Uint8Array {
  if (!PEER_ID.test(frame.peer)) {
    throw new BridgeError('ERR_BRIDGE_FRAME', 'a frame needs a 32-digit hex peer id');
  }
  const fits = (value: number, max: number): boolean =>
    Number.isInteger(value) && value >= 0 && value <= max;
  if (!fits(frame.frame, 0xffffffff) || !fits(frame.width, 0xffff) || !fits(frame.height, 0xffff)) {
    throw new BridgeError(
      'ERR_BRIDGE_FRAME',
      `frame number or size out of range (${frame.frame}, ${frame.width}x${frame.height})`,
    );
  }
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + frame.jpeg.byteLength);
  const view = new DataView(bytes.buffer);
  bytes[0] = frame.kind === 'remote' ? FRAME_KIND_REMOTE : FRAME_KIND_LOCAL;
  bytes.set(Buffer.from(frame.peer, 'hex'), 1);
  view.setUint32(17, frame.frame);
  view.setUint16(21, frame.width);
  view.setUint16(23, frame.height);
  bytes.set(frame.jpeg, FRAME_HEADER_BYTES);
  return bytes;
}

/** The inverse of encodeUiFrame, for tests and tools; null when `bytes` is not a frame. */
export function decodeUiFrame(bytes: Uint8Array): UiVideoFrame | null {
  if (bytes.byteLength < FRAME_HEADER_BYTES) return null;
  const kind = bytes[0];
  if (kind !== FRAME_KIND_REMOTE && kind !== FRAME_KIND_LOCAL) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    kind: kind === FRAME_KIND_REMOTE ? 'remote' : 'local',
    peer: Buffer.from(bytes.subarray(1, 17)).toString('hex'),
    frame: view.getUint32(17),
    width: view.getUint16(21),
    height: view.getUint16(23),
    jpeg: bytes.subarray(FRAME_HEADER_BYTES),
  };
}
