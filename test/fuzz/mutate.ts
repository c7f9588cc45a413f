import fc from 'fast-check';

/**
 * Damage of the kinds a buggy or hostile sender produces, applied to valid inputs: flipped and
 * overwritten bytes, truncation, extension, duplicated runs; at the JSON level wrong types,
 * huge numbers, deep nesting, missing and unknown keys. Plus inputs with no structure at all.
 */

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] as const;

type ByteOp =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'delete'; at: number; length: number };

const position = fc.nat();
const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip'), at: position, bit: fc.nat(7) }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('set'),
      at: position,
      value: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.nat(255)),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('truncate'), at: position }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('extend'), bytes: fc.uint8Array({ maxLength: 64 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('overwrite'),
      at: position,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('duplicate'), at: position, length: fc.nat(64) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('delete'), at: position, length: fc.nat(16) }),
    weight: 1,
  },
);

function applyByteOp(bytes: Uint8Array, op: ByteOp): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : ('at' in op ? op.at : 0) % n;
  switch (op.kind) {
    case 'flip': {
      const out = bytes.slice();
      if (n > 0) out[at] = (out[at] ?? 0) ^ (1 << op.bit);
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      if (n > 0) out[at] = op.value;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'extend':
      return concat(bytes, op.bytes);
    case 'overwrite': {
      const out = bytes.slice();
      out.set(op.bytes.subarray(0, Math.max(0, n - at)), at);
      return out;
    }
    case 'duplicate':
      return concat(bytes.subarray(0, at + op.length), bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + op.length));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Valid bytes (sometimes), damaged valid bytes (mostly), or random bytes. */
export function mutatedBytes(
  valid: fc.Arbitrary<Uint8Array>,
  randomMaxLength = 256,
): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: valid, weight: 2 },
    {
      arbitrary: fc
        .tuple(valid, fc.array(byteOp, { minLength: 1, maxLength: 4 }))
        .map(([bytes, ops]) => ops.reduce(applyByteOp, bytes)),
      weight: 7,
    },
    { arbitrary: fc.uint8Array({ maxLength: randomMaxLength }), weight: 1 },
  );
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Nested arrays or objects, built as text (a value that deep would overflow JSON.stringify). */
const deepNesting: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.integer({ min: 100, max: 2000 }), fc.constant(20_000)), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** JSON text that is valid JSON but of the wrong type or an extreme value. */
const oddValueText: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'null',
      'true',
      '0',
      '-1',
      '-0',
      '1e308',
      '-1e308',
      '5e-324',
      '9007199254740993',
      '8640000000000001',
      '4294967296',
      '65536',
      '1.5',
      '""',
      '[]',
      '{}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '"\\u0000"',
      '"\\ud800"',
    ),
    weight: 20,
  },
  {
    arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
    weight: 5,
  },
  { arbitrary: fc.integer().map(String), weight: 5 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), weight: 5 },
  // Costly to parse (a 20 000-deep nesting takes ~100 ms): rare, so the bulk stays fast.
  { arbitrary: fc.nat(200_000).map((n) => JSON.stringify('x'.repeat(n))), weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
);

/** Every path to a value inside `value` (the root included, as []). */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  }
  return out;
}

const PLACEHOLDER = '\u0000fuzz-placeholder\u0000';

type JsonOp =
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; text: string };

const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('replace'), at: fc.nat(), text: oddValueText }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete'), at: fc.nat() }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('add'),
      at: fc.nat(),
      key: fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 't', 'extra'),
        fc.string({ maxLength: 8 }),
      ),
      text: oddValueText,
    }),
    weight: 2,
  },
);

/** Applies one structural change to a copy of `value` and returns the JSON text. */
function applyJsonOp(value: unknown, op: JsonOp): string {
  const copy: unknown = structuredClone(value);
  const all = paths(copy);
  const path = all[op.at % all.length] ?? [];
  if (path.length === 0) {
    return op.kind === 'replace' ? op.text : JSON.stringify(copy);
  }
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], copy);
  const key = path[path.length - 1] as string | number;
  const holder = parent as Record<string | number, unknown>;
  switch (op.kind) {
    case 'replace':
      holder[key] = PLACEHOLDER;
      return JSON.stringify(copy).replace(JSON.stringify(PLACEHOLDER), () => op.text);
    case 'delete':
      if (Array.isArray(holder)) holder.splice(Number(key), 1);
      else delete holder[key];
      return JSON.stringify(copy);
    case 'add': {
      const target = holder[key];
      if (typeof target !== 'object' || target === null || Array.isArray(target)) {
        holder[key] = PLACEHOLDER;
        return JSON.stringify(copy).replace(JSON.stringify(PLACEHOLDER), () => op.text);
      }
      // defineProperty, so "__proto__" becomes an own key as it would from JSON.parse.
      Object.defineProperty(target, op.key, {
        value: PLACEHOLDER,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return JSON.stringify(copy).replace(JSON.stringify(PLACEHOLDER), () => op.text);
    }
  }
}

/**
 * JSON text of valid values (sometimes), structurally damaged ones (mostly), byte-damaged
 * encodings, and arbitrary JSON.
 */
export function mutatedJsonText(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: valid.map((v) => JSON.stringify(v)), weight: 3 },
    {
      arbitrary: fc.tuple(valid, jsonOp).map(([v, op]) => applyJsonOp(v, op)),
      weight: 9,
    },
    {
      arbitrary: fc.tuple(valid, fc.array(jsonOp, { minLength: 2, maxLength: 4 })).map(([v, ops]) =>
        ops.reduce<string>((text, op) => {
          // Later operations work on the damaged value when it still parses.
          try {
            return applyJsonOp(JSON.parse(text), op);
          } catch {
            return text;
          }
        }, JSON.stringify(v)),
      ),
      weight: 2,
    },
    { arbitrary: fc.json({ depthSize: 'small' }), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 1 },
  );
}

/** The same as bytes, with byte-level damage on top for some. */
export function mutatedJsonBytes(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Uint8Array> {
  const text = mutatedJsonText(valid).map(utf8);
  return fc.oneof(
    { arbitrary: text, weight: 4 },
    { arbitrary: mutatedBytes(valid.map((v) => utf8(JSON.stringify(v)))), weight: 1 },
  );
}
