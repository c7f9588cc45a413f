import { CryptoMisuseError } from './errors.js';
import { requireBytes, requireRange, requireU32, requireU64 } from './guards.js';

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, not silently replaced; ignoreBOM: a leading U+FEFF survives.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX_PATTERN = /^(?:[0-9a-f]{2})*$/;

function badEncoding(message: string): CryptoMisuseError {
  return new CryptoMisuseError('ERR_BAD_ENCODING', message);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) {
    requireBytes(part, 'part');
    length += part.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant time for inputs of equal length, so comparing secrets leaks no prefix length. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  requireBytes(a, 'a');
  requireBytes(b, 'b');
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** Lexicographic order; a strict prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  requireBytes(a, 'a');
  requireBytes(b, 'b');
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

export function toHex(bytes: Uint8Array): string {
  requireBytes(bytes, 'bytes');
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Lowercase only, so every byte string has exactly one accepted spelling. */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== 'string' || !HEX_PATTERN.test(text)) {
    throw badEncoding('expected an even number of lowercase hex digits');
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  requireBytes(bytes, 'bytes');
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const remaining = bytes.length - i;
    const triple =
      (bytes[i]! << 16) |
      ((remaining > 1 ? bytes[i + 1]! : 0) << 8) |
      (remaining > 2 ? bytes[i + 2]! : 0);
    out += BASE64_ALPHABET.charAt((triple >> 18) & 63);
    out += BASE64_ALPHABET.charAt((triple >> 12) & 63);
    out += remaining > 1 ? BASE64_ALPHABET.charAt((triple >> 6) & 63) : '=';
    out += remaining > 2 ? BASE64_ALPHABET.charAt(triple & 63) : '=';
  }
  return out;
}

/**
 * Standard alphabet, padded, canonical (unused trailing bits zero): anything else is rejected so
 * one key has exactly one text form in files and adverts.
 */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0) {
    throw badEncoding('base64 length must be a multiple of 4');
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const dataLength = text.length - padding;
  let written = 0;
  for (let i = 0; i < text.length; i += 4) {
    let quad = 0;
    for (let j = i; j < i + 4; j++) {
      const sextet = j < dataLength ? BASE64_ALPHABET.indexOf(text.charAt(j)) : 0;
      if (sextet < 0) throw badEncoding(`invalid base64 character at ${j}`);
      quad = (quad << 6) | sextet;
    }
    for (let shift = 16; shift >= 0 && written < out.length; shift -= 8) {
      out[written++] = (quad >> shift) & 0xff;
    }
  }
  if (toBase64(out) !== text) throw badEncoding('non-canonical base64');
  return out;
}

export function utf8(text: string): Uint8Array {
  if (typeof text !== 'string')
    throw new CryptoMisuseError('ERR_BAD_ARGUMENT', 'expected a string');
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  requireBytes(bytes, 'bytes');
  try {
    return decoder.decode(bytes);
  } catch {
    throw badEncoding('invalid UTF-8');
  }
}

/** A view of `size` bytes at `offset`, after checking both: misuse throws, never reads past. */
function checkedView(bytes: Uint8Array, offset: number, size: number, what = 'bytes'): DataView {
  requireBytes(bytes, what);
  requireRange(bytes, offset, size);
  return view(bytes);
}

export function writeU64BE(value: bigint, out: Uint8Array, offset: number): void {
  requireU64(value, 'value');
  checkedView(out, offset, 8, 'out').setBigUint64(offset, value, false);
}

export function readU64BE(bytes: Uint8Array, offset: number): bigint {
  return checkedView(bytes, offset, 8).getBigUint64(offset, false);
}

export function writeU32BE(value: number, out: Uint8Array, offset: number): void {
  requireU32(value, 'value');
  checkedView(out, offset, 4, 'out').setUint32(offset, value, false);
}

export function readU32BE(bytes: Uint8Array, offset: number): number {
  return checkedView(bytes, offset, 4).getUint32(offset, false);
}
