/**
 * One voice packet: a small header and one Opus packet. The same layout is the plaintext the
 * sender seals with its media key (p2p), and what the node and the page exchange (UI voice
 * frames), so every side parses it with this one codec. Big-endian:
 *
 *   version(u8) ‖ flags(u8) ‖ level(u8) ‖ seq(u32) ‖ position(u32) ‖ samples(u16) ‖
 *   captureTs(f64) ‖ Opus bytes
 *
 * - flags bit 0: voice activity (the sender's detector says someone speaks).
 * - level: the audio level of the packet's samples in −dBov, 0 (loudest) … 127 (silence), as
 *   RFC 6464 carries it, so a receiver knows who speaks without decoding.
 * - seq: +1 per packet sent; a gap is a loss. position: where the packet's first sample sits
 *   on the sender's 48 kHz sample clock (wraps at 2^32), so silence the sender did not send
 *   (DTX, mute) is not mistaken for loss. samples: how many 48 kHz samples it covers.
 * - captureTs: when its first sample was captured, ms since the epoch on the sender's clock
 *   (a receiver corrects it with the link's clock offset before measuring latency).
 */

export const VOICE_PACKET_VERSION = 1;
export const VOICE_HEADER_BYTES = 21;
export const VOICE_SAMPLE_RATE = 48_000;
/** The frame every sender uses: 20 ms at 48 kHz. */
export const VOICE_FRAME_SAMPLES = 960;
/** Opus allows at most 120 ms in one packet. */
export const MAX_VOICE_SAMPLES = 5760;
/** Opus's own limit for one frame is 1275 bytes; a packet holds at most a few frames. */
export const MAX_OPUS_BYTES = 4000;
/** −dBov of digital silence (RFC 6464). */
export const SILENT_LEVEL = 127;

export interface VoiceHeader {
  /** Voice activity, as the sender's detector judged it. */
  voice: boolean;
  /** 0 (0 dBov, loudest) … 127 (silence). */
  level: number;
  /** u32, +1 per packet sent. */
  seq: number;
  /** u32, sender's 48 kHz sample clock at the first sample. */
  position: number;
  /** 1 … MAX_VOICE_SAMPLES. */
  samples: number;
  /** ms since the epoch; finite, ≥ 0. */
  captureTs: number;
}

export type VoicePacketFailure = 'truncated' | 'bad-version' | 'bad-field' | 'too-large';

export type DecodedVoicePacket =
  { ok: true; header: VoiceHeader; opus: Uint8Array } | { ok: false; reason: VoicePacketFailure };

function requireInteger(value: number, min: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws (RangeError/TypeError) on a header or payload no receiver would accept: misuse. */
export function encodeVoicePacket(header: VoiceHeader, opus: Uint8Array): Uint8Array {
  requireInteger(header.level, 0, SILENT_LEVEL, 'level');
  requireInteger(header.seq, 0, 0xffff_ffff, 'seq');
  requireInteger(header.position, 0, 0xffff_ffff, 'position');
  requireInteger(header.samples, 1, MAX_VOICE_SAMPLES, 'samples');
  if (!Number.isFinite(header.captureTs) || header.captureTs < 0) {
    throw new RangeError('captureTs must be a finite number ≥ 0');
  }
  if (!(opus instanceof Uint8Array)) throw new TypeError('opus must be a Uint8Array');
  if (opus.length === 0 || opus.length > MAX_OPUS_BYTES) {
    throw new RangeError(`an Opus packet has 1 to ${MAX_OPUS_BYTES} bytes, got ${opus.length}`);
  }
  const out = new Uint8Array(VOICE_HEADER_BYTES + opus.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, VOICE_PACKET_VERSION);
  view.setUint8(1, header.voice ? 1 : 0);
  view.setUint8(2, header.level);
  view.setUint32(3, header.seq);
  view.setUint32(7, header.position);
  view.setUint16(11, header.samples);
  view.setFloat64(13, header.captureTs);
  out.set(opus, VOICE_HEADER_BYTES);
  return out;
}

/**
 * Never throws on content (the bytes come from a peer or the page). The returned `opus` is a
 * view into `bytes`, not a copy.
 */
export function decodeVoicePacket(bytes: Uint8Array): DecodedVoicePacket {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) return { ok: false, reason: 'truncated' };
  if (bytes[0] !== VOICE_PACKET_VERSION) return { ok: false, reason: 'bad-version' };
  if (bytes.length <= VOICE_HEADER_BYTES) return { ok: false, reason: 'truncated' };
  if (bytes.length > VOICE_HEADER_BYTES + MAX_OPUS_BYTES) return { ok: false, reason: 'too-large' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint8(1);
  const header: VoiceHeader = {
    voice: (flags & 1) === 1,
    level: view.getUint8(2),
    seq: view.getUint32(3),
    position: view.getUint32(7),
    samples: view.getUint16(11),
    captureTs: view.getFloat64(13),
  };
  // Unknown flag bits are reserved: a later version sets them only with a new version byte.
  if (
    (flags & ~1) !== 0 ||
    header.level > SILENT_LEVEL ||
    header.samples === 0 ||
    header.samples > MAX_VOICE_SAMPLES ||
    !Number.isFinite(header.captureTs) ||
    header.captureTs < 0
  ) {
    return { ok: false, reason: 'bad-field' };
  }
  return { ok: true, header, opus: bytes.subarray(VOICE_HEADER_BYTES) };
}
