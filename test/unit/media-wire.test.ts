import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CHUNK_HEADER_BYTES,
  DEFAULT_CHUNK_BYTES,
  MAX_CHUNKS,
  MAX_FRAME_BYTES,
  parseChunk,
  splitIntoChunks,
} from '../../p2p/media/chunks.js';
import type { ChunkFailure } from '../../p2p/media/chunks.js';
import type { FrameMeta } from '../../p2p/media/frame.js';
import {
  FRAME_PAYLOAD_HEADER_BYTES,
  decodeFramePayload,
  encodeFramePayload,
} from '../../p2p/media/frame.js';

const JPEG = new Uint8Array([0xff, 0xd8, 0x01, 0x02, 0x03, 0xff, 0xd9]);
const META: FrameMeta = {
  stream: 3,
  frameNumber: 0x0a0b0c0d,
  captureTs: 1.5,
  width: 640,
  height: 480,
  codec: 'jpeg',
  keyframe: true,
};
/** An H.264 access unit as libx264 writes it (Annex B): start code, then NAL units. */
const H264 = new Uint8Array([0, 0, 0, 1, 0x65, 0x88, 0x84, 0, 0, 1, 0x41, 0x9a]);
const H264_DELTA: FrameMeta = { ...META, codec: 'h264', keyframe: false };

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A chunk header with arbitrary fields, for shapes splitIntoChunks would never produce. */
function rawChunk(
  fields: {
    version?: number;
    stream?: number;
    frameNumber?: number;
    chunkIndex: number;
    chunkCount: number;
    totalBytes: number;
  },
  bodyLength: number,
): Uint8Array {
  const message = new Uint8Array(CHUNK_HEADER_BYTES + bodyLength);
  const view = new DataView(message.buffer);
  view.setUint8(0, fields.version ?? 1);
  view.setUint8(1, fields.stream ?? 0);
  view.setUint32(2, fields.frameNumber ?? 0);
  view.setUint16(6, fields.chunkIndex);
  view.setUint16(8, fields.chunkCount);
  view.setUint32(10, fields.totalBytes);
  return message;
}

function failureOf(message: Uint8Array): ChunkFailure | 'ok' {
  const parsed = parseChunk(message);
  return parsed.ok ? 'ok' : parsed.reason;
}

describe('media wire: frame payload', () => {
  it('pins the byte layout with a known-answer vector', () => {
    const payload = encodeFramePayload(META, JPEG);
    assert.equal(
      hex(payload),
      // version, stream, frameNumber, captureTs (f64 1.5), width 640, height 480, codec 0
      // (jpeg), flags 1 (keyframe), JPEG
      '02 03 0a 0b 0c 0d 3f f8 00 00 00 00 00 00 02 80 01 e0 00 01 ff d8 01 02 03 ff d9',
    );
    assert.equal(payload.length, FRAME_PAYLOAD_HEADER_BYTES + JPEG.length);
    assert.equal(
      hex(encodeFramePayload(H264_DELTA, H264).subarray(18, 24)),
      // codec 1 (h264), flags 0 (delta), start code, NAL header
      '01 00 00 00 00 01',
    );
  });

  it('round-trips any in-range metadata', () => {
    fc.assert(
      fc.property(
        fc.record({
          stream: fc.integer({ min: 0, max: 255 }),
          frameNumber: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          captureTs: fc.double({ min: 0, max: 1e15, noNaN: true }),
          width: fc.integer({ min: 1, max: 65535 }),
          height: fc.integer({ min: 1, max: 65535 }),
          codec: fc.constantFrom('jpeg' as const, 'h264' as const),
          keyframe: fc.boolean(),
        }),
        fc.uint8Array({ maxLength: 100 }),
        (fields, inner) => {
          const meta = { ...fields, keyframe: fields.keyframe || fields.codec === 'jpeg' };
          const data =
            meta.codec === 'jpeg'
              ? new Uint8Array([0xff, 0xd8, ...inner, 0xff, 0xd9])
              : new Uint8Array([0, 0, 1, 0x41, ...inner]);
          const decoded = decodeFramePayload(encodeFramePayload(meta, data));
          assert.ok(decoded.ok);
          // fast-check's records have a null prototype; compare the fields only.
          assert.deepEqual(decoded.meta, { ...meta });
          assert.deepEqual(decoded.data, data);
        },
      ),
    );
  });

  it('decodes a payload that sits at an offset inside a larger buffer', () => {
    const payload = encodeFramePayload(META, JPEG);
    const backing = new Uint8Array(payload.length + 10);
    backing.set(payload, 7);
    const decoded = decodeFramePayload(backing.subarray(7, 7 + payload.length));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.meta, META);
  });

  it('reports every decode failure with its reason', () => {
    const good = encodeFramePayload(META, JPEG);
    const h264 = encodeFramePayload(H264_DELTA, H264);
    const withByte = (offset: number, value: number): Uint8Array => {
      const copy = good.slice();
      copy[offset] = value;
      return copy;
    };
    const withTs = (value: number): Uint8Array => {
      const copy = good.slice();
      new DataView(copy.buffer).setFloat64(6, value);
      return copy;
    };
    const cases: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'truncated'],
      ['header cut short', good.subarray(0, FRAME_PAYLOAD_HEADER_BYTES - 1), 'truncated'],
      ['version 0', withByte(0, 0), 'bad-version'],
      ['version 1 (before codecs)', withByte(0, 1), 'bad-version'],
      ['version 3, even if short', new Uint8Array([3]), 'bad-version'],
      ['unknown codec', withByte(18, 2), 'bad-field'],
      ['unknown flag bit', withByte(19, 0x03), 'bad-field'],
      ['a JPEG that is not a keyframe', withByte(19, 0), 'bad-field'],
      ['width 0', good.slice().fill(0, 14, 16), 'bad-field'],
      ['height 0', good.slice().fill(0, 16, 18), 'bad-field'],
      ['captureTs NaN', withTs(Number.NaN), 'bad-field'],
      ['captureTs infinite', withTs(Number.POSITIVE_INFINITY), 'bad-field'],
      ['captureTs negative', withTs(-1), 'bad-field'],
      ['no JPEG at all', good.subarray(0, FRAME_PAYLOAD_HEADER_BYTES), 'not-jpeg'],
      ['JPEG without EOI', good.subarray(0, good.length - 1), 'not-jpeg'],
      ['JPEG without SOI', withByte(FRAME_PAYLOAD_HEADER_BYTES + 1, 0xd9), 'not-jpeg'],
      ['SOI and EOI overlapping', good.slice(0, FRAME_PAYLOAD_HEADER_BYTES + 3), 'not-jpeg'],
      ['a JPEG labelled H.264', withByte(18, 1), 'not-annex-b'],
      [
        'H.264 without a start code',
        h264.slice().fill(7, FRAME_PAYLOAD_HEADER_BYTES),
        'not-annex-b',
      ],
      ['H.264: a start code only', h264.subarray(0, FRAME_PAYLOAD_HEADER_BYTES + 4), 'not-annex-b'],
    ];
    for (const [name, bytes, reason] of cases) {
      const decoded = decodeFramePayload(bytes);
      assert.equal(decoded.ok ? 'ok' : decoded.reason, reason, name);
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        decodeFramePayload(bytes);
      }),
    );
  });

  it('refuses to encode out-of-range fields, a non-JPEG or H.264 that is not Annex B', () => {
    const bad: [Partial<FrameMeta>, Uint8Array?][] = [
      [{ stream: 256 }],
      [{ stream: -1 }],
      [{ stream: 1.5 }],
      [{ frameNumber: 2 ** 32 }],
      [{ frameNumber: -1 }],
      [{ captureTs: Number.NaN }],
      [{ captureTs: -5 }],
      [{ width: 0 }],
      [{ width: 65536 }],
      [{ height: 0 }],
      [{}, new Uint8Array([0xff, 0xd8])],
      [{}, new Uint8Array([1, 2, 3, 4])],
      [{ keyframe: false }],
      [{ codec: 'vp8' as FrameMeta['codec'] }],
      [{ codec: 'h264' }],
      [{ codec: 'h264' }, new Uint8Array([0, 0, 0, 2, 0x65])],
    ];
    for (const [change, jpeg] of bad) {
      assert.throws(
        () => encodeFramePayload({ ...META, ...change }, jpeg ?? JPEG),
        RangeError,
        JSON.stringify(change),
      );
    }
  });
});

describe('media wire: chunks', () => {
  it('pins the header layout with a known-answer vector', () => {
    const sealed = Uint8Array.from({ length: 20 }, (_, i) => i);
    // 8 bytes of body per message would need 3 chunks; 20 bytes spread evenly are 7 + 7 + 6.
    const chunks = splitIntoChunks(sealed, { stream: 2, frameNumber: 0x01020304 }, 22);
    assert.deepEqual(
      chunks.map((c) => hex(c)),
      [
        '01 02 01 02 03 04 00 00 00 03 00 00 00 14 00 01 02 03 04 05 06',
        '01 02 01 02 03 04 00 01 00 03 00 00 00 14 07 08 09 0a 0b 0c 0d',
        '01 02 01 02 03 04 00 02 00 03 00 00 00 14 0e 0f 10 11 12 13',
      ],
    );
    assert.equal(CHUNK_HEADER_BYTES, 14);
    assert.equal(DEFAULT_CHUNK_BYTES, 16384);
  });

  it('parses back the fields it split with', () => {
    const sealed = new Uint8Array(40_000).fill(7);
    const chunks = splitIntoChunks(sealed, { stream: 255, frameNumber: 2 ** 32 - 1 });
    assert.equal(chunks.length, 3);
    chunks.forEach((chunk, index) => {
      assert.ok(chunk.length <= DEFAULT_CHUNK_BYTES);
      const parsed = parseChunk(chunk);
      assert.ok(parsed.ok);
      assert.equal(parsed.stream, 255);
      assert.equal(parsed.frameNumber, 2 ** 32 - 1);
      assert.equal(parsed.chunkIndex, index);
      assert.equal(parsed.chunkCount, 3);
      assert.equal(parsed.totalBytes, 40_000);
    });
  });

  it('round-trips every size from 1 byte to several chunks, in any order, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: CHUNK_HEADER_BYTES + 1, max: 1200 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 0, max: 255 }),
        (size, requestedMessageBytes, orderKeys, duplicatePicks, seed) => {
          const maxMessageBytes = Math.max(
            requestedMessageBytes,
            CHUNK_HEADER_BYTES + Math.ceil(size / MAX_CHUNKS),
          );
          const sealed = Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
          const chunks = splitIntoChunks(sealed, { stream: 1, frameNumber: 9 }, maxMessageBytes);
          const capacity = maxMessageBytes - CHUNK_HEADER_BYTES;
          assert.equal(chunks.length, Math.ceil(size / capacity));
          const delivered = chunks.map((chunk, i) => ({ chunk, key: orderKeys[i] ?? i }));
          for (const pick of duplicatePicks) {
            const chunk = chunks[pick % chunks.length];
            if (chunk) delivered.push({ chunk, key: pick });
          }
          delivered.sort((a, b) => a.key - b.key);

          const bodies = new Map<number, Uint8Array>();
          for (const { chunk } of delivered) {
            assert.ok(chunk.length <= maxMessageBytes);
            const parsed = parseChunk(chunk);
            assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
            assert.equal(parsed.chunkCount, chunks.length);
            assert.equal(parsed.totalBytes, size);
            bodies.set(parsed.chunkIndex, parsed.body);
          }
          assert.equal(bodies.size, chunks.length);
          const rebuilt = new Uint8Array(size);
          let offset = 0;
          for (let index = 0; index < chunks.length; index++) {
            const body = bodies.get(index);
            assert.ok(body && body.length > 0);
            rebuilt.set(body, offset);
            offset += body.length;
          }
          assert.equal(offset, size);
          assert.deepEqual(rebuilt, sealed);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts exactly the shapes a sender can produce', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 64 }),
        (totalBytes, chunkCount) => {
          const producible = [...Array(totalBytes).keys()].some(
            (c) => Math.ceil(totalBytes / (c + 1)) === chunkCount,
          );
          const body = Math.ceil(totalBytes / chunkCount);
          const last = totalBytes - body * (chunkCount - 1);
          const message = rawChunk(
            { chunkIndex: chunkCount - 1, chunkCount, totalBytes },
            Math.max(last, 0),
          );
          assert.equal(failureOf(message) === 'ok', producible);
        },
      ),
    );
  });

  it('reports every parse failure with its reason', () => {
    const good = splitIntoChunks(new Uint8Array(20), { stream: 0, frameNumber: 1 }, 22);
    const [first, , last] = good;
    assert.ok(first && last);
    const cases: [string, Uint8Array, ChunkFailure][] = [
      ['empty', new Uint8Array(0), 'truncated'],
      ['header cut short', first.subarray(0, CHUNK_HEADER_BYTES - 1), 'truncated'],
      [
        'version 0',
        rawChunk({ version: 0, chunkIndex: 0, chunkCount: 1, totalBytes: 1 }, 1),
        'bad-version',
      ],
      ['version 2, even if short', new Uint8Array([2, 0]), 'bad-version'],
      ['count 0', rawChunk({ chunkIndex: 0, chunkCount: 0, totalBytes: 1 }, 1), 'bad-count'],
      [
        'count above MAX_CHUNKS',
        rawChunk({ chunkIndex: 0, chunkCount: MAX_CHUNKS + 1, totalBytes: MAX_FRAME_BYTES }, 1),
        'bad-count',
      ],
      [
        'more chunks than bytes',
        rawChunk({ chunkIndex: 0, chunkCount: 3, totalBytes: 2 }, 1),
        'bad-count',
      ],
      // ceil(9/4) = 3 bytes each would leave nothing for the last of 4 chunks.
      [
        'empty last chunk implied',
        rawChunk({ chunkIndex: 0, chunkCount: 4, totalBytes: 9 }, 3),
        'bad-count',
      ],
      ['total 0', rawChunk({ chunkIndex: 0, chunkCount: 1, totalBytes: 0 }, 0), 'bad-size'],
      [
        'total above MAX_FRAME_BYTES',
        rawChunk({ chunkIndex: 0, chunkCount: 1, totalBytes: MAX_FRAME_BYTES + 1 }, 1),
        'bad-size',
      ],
      ['index = count', rawChunk({ chunkIndex: 3, chunkCount: 3, totalBytes: 20 }, 7), 'bad-index'],
      [
        'index far beyond count',
        rawChunk({ chunkIndex: 65535, chunkCount: 3, totalBytes: 20 }, 7),
        'bad-index',
      ],
      ['body one byte short', first.subarray(0, first.length - 1), 'bad-size'],
      ['body one byte long', new Uint8Array([...first, 0]), 'bad-size'],
      ['last body one byte short', last.subarray(0, last.length - 1), 'bad-size'],
      ['last body sized like the others', new Uint8Array([...last, 0]), 'bad-size'],
      ['header only', first.subarray(0, CHUNK_HEADER_BYTES), 'bad-size'],
    ];
    for (const [name, message, reason] of cases) {
      assert.equal(failureOf(message), reason, name);
    }
    for (const chunk of good) assert.equal(failureOf(chunk), 'ok');
  });

  it('accepts the largest frame at the default chunk size', () => {
    const chunks = splitIntoChunks(new Uint8Array(MAX_FRAME_BYTES), { stream: 0, frameNumber: 0 });
    assert.ok(chunks.length <= MAX_CHUNKS);
    for (const chunk of chunks) assert.equal(failureOf(chunk), 'ok');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        parseChunk(bytes);
      }),
    );
  });

  it('refuses to split what a receiver would reject, or with no room for a body', () => {
    const header = { stream: 0, frameNumber: 0 };
    assert.throws(() => splitIntoChunks(new Uint8Array(0), header), RangeError);
    assert.throws(() => splitIntoChunks(new Uint8Array(MAX_FRAME_BYTES + 1), header), RangeError);
    assert.throws(
      () => splitIntoChunks(new Uint8Array(10), header, CHUNK_HEADER_BYTES),
      RangeError,
    );
    assert.throws(() => splitIntoChunks(new Uint8Array(10), header, 0), RangeError);
    assert.throws(() => splitIntoChunks(new Uint8Array(10), header, 20.5), RangeError);
    // 1 body byte per message: 1024 chunks fit, 1025 do not.
    assert.equal(
      splitIntoChunks(new Uint8Array(MAX_CHUNKS), header, CHUNK_HEADER_BYTES + 1).length,
      MAX_CHUNKS,
    );
    assert.throws(
      () => splitIntoChunks(new Uint8Array(MAX_CHUNKS + 1), header, CHUNK_HEADER_BYTES + 1),
      /chunks/,
    );
    assert.throws(
      () => splitIntoChunks(new Uint8Array(1), { stream: 256, frameNumber: 0 }),
      RangeError,
    );
    assert.throws(
      () => splitIntoChunks(new Uint8Array(1), { stream: 0, frameNumber: 2 ** 32 }),
      RangeError,
    );
  });
});
