/**
 * A piece's block as it travels on a link's `bulk` channel (binary, never JSON):
 * tag(u32: the party id's first 8 hex digits, so a late block of an earlier party is told
 * apart) ‖ index(u32) ‖ offset(u32, within the piece) ‖ bytes.
 */
export const BLOCK_SIZE = 64 * 1024;
const HEADER = 12;

export function partyTag(party: string): number {
  return Number.parseInt(party.slice(0, 8), 16) >>> 0;
}

export function encodeFrame(
  tag: number,
  index: number,
  offset: number,
  data: Uint8Array,
): Uint8Array {
  const frame = new Uint8Array(HEADER + data.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, tag);
  view.setUint32(4, index);
  view.setUint32(8, offset);
  frame.set(data, HEADER);
  return frame;
}

export function decodeFrame(
  frame: Uint8Array,
): { tag: number; index: number; offset: number; data: Uint8Array } | null {
  if (frame.length <= HEADER || frame.length > HEADER + BLOCK_SIZE) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    tag: view.getUint32(0),
    index: view.getUint32(4),
    offset: view.getUint32(8),
    data: frame.subarray(HEADER),
  };
}
