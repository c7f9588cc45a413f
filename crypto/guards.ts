import { CryptoMisuseError } from './errors.js';

export const U32_MAX = 0xffff_ffff;
export const U64_MAX = (1n << 64n) - 1n;

export function requireBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoMisuseError('ERR_BAD_ARGUMENT', `${what} must be a Uint8Array`);
  }
}

export function requireKey(
  value: unknown,
  length: number,
  what: string,
): asserts value is Uint8Array {
  requireBytes(value, what);
  if (value.length !== length) {
    throw new CryptoMisuseError(
      'ERR_KEY_LENGTH',
      `${what} must be ${length} bytes, got ${value.length}`,
    );
  }
}

export function requireU32(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new CryptoMisuseError('ERR_BAD_ARGUMENT', `${what} must be an integer in [0, 2^32-1]`);
  }
}

export function requireU64(value: unknown, what: string): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new CryptoMisuseError('ERR_BAD_ARGUMENT', `${what} must be a bigint in [0, 2^64-1]`);
  }
}

export function requireRange(buffer: Uint8Array, offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + length > buffer.length) {
    throw new CryptoMisuseError(
      'ERR_BAD_ARGUMENT',
      `offset ${offset} leaves no room for ${length} bytes in a buffer of ${buffer.length}`,
    );
  }
}
