import fc from 'fast-check';
import type { z } from 'zod';

/**
 * Valid values for a zod schema, built from the schema itself so the generators cannot drift
 * from what the parsers accept. Covers the zod features the wire schemas use; anything else
 * throws, so a new schema feature shows up here rather than as silently missing coverage.
 * `byKey` supplies values for fields whose validity a regex cannot express (real keys,
 * signatures, canonical base64).
 */
export type KeyArbitraries = Readonly<Record<string, fc.Arbitrary<unknown>>>;

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  pattern?: RegExp;
  format?: string;
  value?: number;
  inclusive?: boolean;
}

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
  entries?: Record<string, string | number>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function checksOf(def: Def): CheckDef[] {
  return (def.checks ?? []).map((check) => check._zod.def);
}

const hex32 = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
const byPattern = new Map<string, fc.Arbitrary<string>>([['^[0-9a-f]{32}$', hex32]]);

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  let min = 0;
  let max = Infinity;
  let pattern: RegExp | undefined;
  for (const check of checksOf(def)) {
    if (check.check === 'min_length') min = check.minimum ?? min;
    else if (check.check === 'max_length') max = check.maximum ?? max;
    else if (check.check === 'length_equals') min = max = check.length ?? min;
    else if (check.check === 'string_format' && check.format === 'regex') pattern = check.pattern;
  }
  if (pattern !== undefined) {
    const source = pattern.source;
    let arbitrary = byPattern.get(source);
    if (arbitrary === undefined) {
      arbitrary = fc.stringMatching(pattern);
      byPattern.set(source, arbitrary);
    }
    return arbitrary.filter((s) => s.length >= min && s.length <= max);
  }
  const small = Math.min(max, min + 24);
  const options: fc.Arbitrary<string>[] = [
    fc.string({ minLength: min, maxLength: small }),
    fc.string({ unit: 'binary', minLength: min, maxLength: small }),
  ];
  // The longest string allowed: limits are where off-by-one bugs live.
  if (Number.isFinite(max)) options.push(fc.constant('x'.repeat(max)));
  return fc.oneof(...options);
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let integer = false;
  let min = -Infinity;
  let max = Infinity;
  for (const check of checksOf(def)) {
    if (check.check === 'number_format') integer = true;
    else if (check.check === 'greater_than') {
      const value = check.value ?? -Infinity;
      min = check.inclusive === true ? value : integer ? value + 1 : value + Number.EPSILON;
    } else if (check.check === 'less_than') {
      const value = check.value ?? Infinity;
      max = check.inclusive === true ? value : integer ? value - 1 : value - Number.EPSILON;
    }
  }
  if (integer) {
    return fc.integer({
      min: Math.max(min, Number.MIN_SAFE_INTEGER),
      max: Math.min(max, Number.MAX_SAFE_INTEGER),
    });
  }
  return fc.double({
    min: Number.isFinite(min) ? min : -Number.MAX_VALUE,
    max: Number.isFinite(max) ? max : Number.MAX_VALUE,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

export function arbitraryFor(schema: z.ZodType, byKey: KeyArbitraries = {}): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape = def.shape ?? {};
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [key, field] of Object.entries(shape)) {
        const fieldDef = defOf(field);
        const optional = fieldDef.type === 'optional';
        const inner = optional && fieldDef.innerType ? fieldDef.innerType : field;
        fields[key] = byKey[key] ?? arbitraryFor(inner, byKey);
        if (!optional) required.push(key);
      }
      return fc.record(fields, { requiredKeys: required });
    }
    case 'string':
      return stringArbitrary(def);
    case 'number':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(def.values ?? []));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case 'array': {
      let min = 0;
      let max = 8;
      for (const check of checksOf(def)) {
        if (check.check === 'min_length') min = check.minimum ?? min;
        else if (check.check === 'max_length') max = Math.min(max, check.maximum ?? max);
      }
      if (!def.element) throw new Error('array schema without element');
      return fc.array(arbitraryFor(def.element, byKey), { minLength: min, maxLength: max });
    }
    case 'nullable':
      if (!def.innerType) throw new Error('nullable schema without inner type');
      return fc.option(arbitraryFor(def.innerType, byKey), { nil: null });
    case 'optional':
      if (!def.innerType) throw new Error('optional schema without inner type');
      return fc.option(arbitraryFor(def.innerType, byKey), { nil: undefined });
    case 'record': {
      if (!def.keyType || !def.valueType) throw new Error('record schema without key or value');
      const key = arbitraryFor(def.keyType) as fc.Arbitrary<string>;
      return fc.dictionary(key, arbitraryFor(def.valueType, byKey), { maxKeys: 4 });
    }
    case 'union':
      return fc.oneof(...(def.options ?? []).map((option) => arbitraryFor(option, byKey)));
    default:
      throw new Error(`zod-arbitrary: unsupported schema type ${def.type}`);
  }
}
