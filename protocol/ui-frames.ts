/**
 * The binary messages between the node and the UI. Byte 0 is the kind.
 *
 * Video frames, node → UI (one frame per message):
 *   byte 0      kind: 1 = a member's frame, 2 = our own (filtered) preview
 *   bytes 1-16  peer id (16 bytes; the 32 hex digits of the id)
 *   bytes 17-20 frame number, u32 big-endian
 *   bytes 21-22 width, u16 big-endian; bytes 23-24 height, u16 big-endian
 *   bytes 25-   the JPEG
 * Encoded video, node → UI: kind 5 = a member's frame, 6 = our own preview (the top layer),
 *   then the same peer id, frame number, width and height as above, then
 *   byte 25     codec: 0 = JPEG, 1 = H.264
 *   byte 26     flags: bit 0 = keyframe (always set for a JPEG; no other bit is defined)
 *   bytes 27-   the JPEG, or one H.264 access unit in Annex B (decodes after the frames
 *               before it unless it is a keyframe)
 * Voice, node → UI: kind 3 ‖ peer id (16 bytes) ‖ one voice packet (protocol/audio/
 *   voice-packet.ts) as the member sent it, its captureTs already on the node's clock.
 * Microphone, UI → node: kind 4 ‖ one voice packet (the node assigns the seq it sends).
 * The one codec: the node encodes, the page decodes, tests and tools do either. Plain
 * Uint8Array and DataView, so it runs unchanged in Node and in the page; and no zod, so
 * the page can decode frames without building the message schemas.
 */

export const FRAME_HEADER_BYTES = 25;
export const FRAME_KIND_REMOTE = 1;
export const FRAME_KIND_LOCAL = 2;
export const FRAME_KIND_VOICE = 3;
export const FRAME_KIND_MIC = 4;
export const FRAME_KIND_ENCODED = 5;
export const FRAME_KIND_ENCODED_LOCAL = 6;
export const ENCODED_HEADER_BYTES = FRAME_HEADER_BYTES + 2;

export interface UiVideoFrame {
  kind: 'remote' | 'local';
  peer: string;
  frame: number;
  width: number;
  height: number;
  jpeg: Uint8Array;
}

export type UiVideoCodec = 'jpeg' | 'h264';

/** Kinds 5 and 6: a frame that may depend on the ones before it (H.264), or a JPEG. */
export interface UiEncodedFrame {
  kind: 'remote' | 'local';
  peer: string;
  frame: number;
  width: number;
  height: number;
  codec: UiVideoCodec;
  keyframe: boolean;
  data: Uint8Array;
}

/** Any video frame the page draws. */
export type UiVideo = UiVideoFrame | UiEncodedFrame;

export function isEncodedFrame(frame: UiVideo): frame is UiEncodedFrame {
  return 'codec' in frame;
}

const PEER_ID = /^[0-9a-f]{32}$/;
const PEER_ID_BYTES = 16;
const FRAME_OFFSET = 1 + PEER_ID_BYTES;
const WIDTH_OFFSET = FRAME_OFFSET + 4;
const HEIGHT_OFFSET = WIDTH_OFFSET + 2;

function fits(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** Why `frame` cannot be put in the layout (bad id, number or size out of range), or null. */
export function uiFrameProblem(frame: UiVideoFrame): string | null {
  if (!PEER_ID.test(frame.peer)) return 'a frame needs a 32-digit hex peer id';
  if (!fits(frame.frame, 0xffffffff) || !fits(frame.width, 0xffff) || !fits(frame.height, 0xffff)) {
    return `frame number or size out of range (${frame.frame}, ${frame.width}x${frame.height})`;
  }
  return null;
}

/**
 * Lays `frame` out as one binary message. Throws a RangeError (text from uiFrameProblem)
 * for a frame that does not fit; the node's bridge turns that into its own BridgeError.
 */
export function encodeUiFrame(frame: UiVideoFrame): Uint8Array {
  const problem = uiFrameProblem(frame);
  if (problem !== null) throw new RangeError(problem);
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + frame.jpeg.byteLength);
  const view = new DataView(bytes.buffer);
  bytes[0] = frame.kind === 'remote' ? FRAME_KIND_REMOTE : FRAME_KIND_LOCAL;
  putPeer(bytes, frame.peer);
  view.setUint32(FRAME_OFFSET, frame.frame);
  view.setUint16(WIDTH_OFFSET, frame.width);
  view.setUint16(HEIGHT_OFFSET, frame.height);
  bytes.set(frame.jpeg, FRAME_HEADER_BYTES);
  return bytes;
}

function putPeer(bytes: Uint8Array, peer: string): void {
  for (let i = 0; i < PEER_ID_BYTES; i++) {
    bytes[1 + i] = parseInt(peer.slice(i * 2, i * 2 + 2), 16);
  }
}

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/**
 * Reads one binary frame message; null for anything that is not a frame the page could show
 * (too short, unknown kind, zero size, or a payload that does not start like a JPEG). Never
 * throws. The JPEG is a view into `bytes`, not a copy.
 */
export function decodeUiFrame(bytes: Uint8Array): UiVideoFrame | null {
  // Two bytes at least after the header: the JPEG start-of-image marker.
  if (bytes.byteLength < FRAME_HEADER_BYTES + 2) return null;
  const kindByte = bytes[0];
  const kind =
    kindByte === FRAME_KIND_REMOTE ? 'remote' : kindByte === FRAME_KIND_LOCAL ? 'local' : null;
  if (kind === null) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint16(WIDTH_OFFSET);
  const height = view.getUint16(HEIGHT_OFFSET);
  if (width === 0 || height === 0) return null;
  const jpeg = bytes.subarray(FRAME_HEADER_BYTES);
  // Every JPEG starts with the SOI marker FF D8.
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return null;
  return {
    kind,
    peer: hex(bytes.subarray(1, FRAME_OFFSET)),
    frame: view.getUint32(FRAME_OFFSET),
    width,
    height,
    jpeg,
  };
}

const CODECS: readonly UiVideoCodec[] = ['jpeg', 'h264'];
const KEYFRAME_FLAG = 0x01;

/** Why `frame` cannot be put in the kind 5/6 layout, or null. */
export function uiEncodedProblem(frame: UiEncodedFrame): string | null {
  const problem = uiFrameProblem({ ...frame, jpeg: frame.data });
  if (problem !== null) return problem;
  if (!CODECS.includes(frame.codec)) return `unknown codec ${String(frame.codec)}`;
  return contentProblem(frame.codec, frame.keyframe, frame.data);
}

/** A shallow check per codec; the decoder does the real validation. */
function contentProblem(codec: UiVideoCodec, keyframe: boolean, data: Uint8Array): string | null {
  if (codec === 'jpeg') {
    if (!keyframe) return 'a JPEG is always a keyframe';
    return data[0] === 0xff && data[1] === 0xd8 ? null : 'not a JPEG';
  }
  // Annex B: a 3- or 4-byte start code, then at least the NAL header.
  const start = data[0] === 0 && data[1] === 0 ? (data[2] === 1 ? 3 : data[2] === 0 ? 4 : 0) : 0;
  const annexB = start > 0 && (start === 3 || data[3] === 1) && data.byteLength > start;
  return annexB ? null : 'H.264 data must be Annex B';
}

/** Lays out a kind 5 (remote) or 6 (local) frame; throws a RangeError like encodeUiFrame. */
export function encodeUiEncoded(frame: UiEncodedFrame): Uint8Array {
  const problem = uiEncodedProblem(frame);
  if (problem !== null) throw new RangeError(problem);
  const bytes = new Uint8Array(ENCODED_HEADER_BYTES + frame.data.byteLength);
  const view = new DataView(bytes.buffer);
  bytes[0] = frame.kind === 'remote' ? FRAME_KIND_ENCODED : FRAME_KIND_ENCODED_LOCAL;
  putPeer(bytes, frame.peer);
  view.setUint32(FRAME_OFFSET, frame.frame);
  view.setUint16(WIDTH_OFFSET, frame.width);
  view.setUint16(HEIGHT_OFFSET, frame.height);
  bytes[FRAME_HEADER_BYTES] = CODECS.indexOf(frame.codec);
  bytes[FRAME_HEADER_BYTES + 1] = frame.keyframe ? KEYFRAME_FLAG : 0;
  bytes.set(frame.data, ENCODED_HEADER_BYTES);
  return bytes;
}

/**
 * Reads a kind 5/6 message; null for anything else or anything the page could not decode
 * (zero size, unknown codec or flag bits, a payload that does not look like its codec).
 * Never throws. The data is a view into `bytes`.
 */
export function decodeUiEncoded(bytes: Uint8Array): UiEncodedFrame | null {
  // The shortest payload is a JPEG start-of-image marker; contentProblem checks the rest.
  if (bytes.byteLength < ENCODED_HEADER_BYTES + 2) return null;
  const kindByte = bytes[0];
  const kind =
    kindByte === FRAME_KIND_ENCODED
      ? 'remote'
      : kindByte === FRAME_KIND_ENCODED_LOCAL
        ? 'local'
        : null;
  if (kind === null) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint16(WIDTH_OFFSET);
  const height = view.getUint16(HEIGHT_OFFSET);
  const codec = CODECS[bytes[FRAME_HEADER_BYTES] ?? 0xff];
  const flags = bytes[FRAME_HEADER_BYTES + 1] ?? 0xff;
  if (width === 0 || height === 0 || codec === undefined || (flags & ~KEYFRAME_FLAG) !== 0) {
    return null;
  }
  const keyframe = (flags & KEYFRAME_FLAG) !== 0;
  const data = bytes.subarray(ENCODED_HEADER_BYTES);
  if (contentProblem(codec, keyframe, data) !== null) return null;
  const peer = hex(bytes.subarray(1, FRAME_OFFSET));
  return { kind, peer, frame: view.getUint32(FRAME_OFFSET), width, height, codec, keyframe, data };
}

/** Any video message (kinds 1, 2, 5, 6), or null. Never throws. */
export function decodeUiVideo(bytes: Uint8Array): UiVideo | null {
  return decodeUiEncoded(bytes) ?? decodeUiFrame(bytes);
}

/** A member's voice packet as the node hands it to the page. */
export interface UiVoiceFrame {
  peer: string;
  /** The voice packet's bytes (decode with decodeVoicePacket). */
  packet: Uint8Array;
}

/** Throws a RangeError for a peer id that is not 32 hex digits or an empty packet. */
export function encodeUiVoice(frame: UiVoiceFrame): Uint8Array {
  if (!PEER_ID.test(frame.peer)) throw new RangeError('a voice frame needs a 32-digit hex peer id');
  if (frame.packet.byteLength === 0) throw new RangeError('a voice frame needs a packet');
  const bytes = new Uint8Array(FRAME_OFFSET + frame.packet.byteLength);
  bytes[0] = FRAME_KIND_VOICE;
  putPeer(bytes, frame.peer);
  bytes.set(frame.packet, FRAME_OFFSET);
  return bytes;
}

/**
 * Reads a voice message; null when `bytes` is not one (wrong kind, no packet). The packet
 * is a view into `bytes`, and still has to pass decodeVoicePacket. Never throws.
 */
export function decodeUiVoice(bytes: Uint8Array): UiVoiceFrame | null {
  if (bytes.byteLength <= FRAME_OFFSET || bytes[0] !== FRAME_KIND_VOICE) return null;
  return { peer: hex(bytes.subarray(1, FRAME_OFFSET)), packet: bytes.subarray(FRAME_OFFSET) };
}

/** The page's microphone packet as one message to the node. */
export function encodeUiMic(packet: Uint8Array): Uint8Array<ArrayBuffer> {
  if (packet.byteLength === 0) throw new RangeError('a microphone frame needs a packet');
  const bytes = new Uint8Array(1 + packet.byteLength);
  bytes[0] = FRAME_KIND_MIC;
  bytes.set(packet, 1);
  return bytes;
}

/** The voice packet of a microphone message (a view), or null when it is none. Never throws. */
export function decodeUiMic(bytes: Uint8Array): Uint8Array | null {
  if (bytes.byteLength <= 1 || bytes[0] !== FRAME_KIND_MIC) return null;
  return bytes.subarray(1);
}
