import { fromBase64 } from './bytes.js';
import { CryptoMisuseError, type CryptoMisuseCode } from './errors.js';

/** A value for an error message: String() of a deeply nested array would overflow the stack. */
function shortText(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 32));
  return Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Reading our own small JSON files (identity, known peers). Every defect, whatever it is,
 * surfaces as the one error code of the file being read, so callers handle a single case.
 */
export class VersionedJsonReader {
  constructor(
    private readonly code: CryptoMisuseCode,
    private readonly what: string,
  ) {}

  fail(detail: string): never {
    throw new CryptoMisuseError(this.code, `${this.what}: ${detail}`);
  }

  /** Parses `text` and returns its top-level object, whose `v` must be `version`. */
  parse(text: string, version: number): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.fail('not valid JSON');
    }
    const record = this.record(parsed, 'top level');
    if (record['v'] !== version) this.fail(`unsupported version ${shortText(record['v'])}`);
    return record;
  }

  record(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(`${field} must be an object`);
    }
    return value as Record<string, unknown>;
  }

  string(record: Record<string, unknown>, field: string): string {
    const value = record[field];
    if (typeof value !== 'string') this.fail(`${field} must be a string`);
    return value;
  }

  bytes(record: Record<string, unknown>, field: string, length: number): Uint8Array {
    const text = this.string(record, field);
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(text);
    } catch {
      this.fail(`${field} is not canonical base64`);
    }
    if (bytes.length !== length) this.fail(`${field} must be ${length} bytes`);
    return bytes;
  }
}
