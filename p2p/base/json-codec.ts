import type { z } from 'zod';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses untrusted bytes as JSON and validates them; never throws. */
export function decodeJson<S extends z.ZodType>(
  bytes: Uint8Array,
  schema: S,
): DecodeResult<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return { ok: false, error: 'not UTF-8 JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    return {
      ok: false,
      error: `invalid message${where ? ` at ${where}` : ''}: ${issue?.message ?? 'rejected'}`,
    };
  }
  return { ok: true, value: parsed.data };
}
