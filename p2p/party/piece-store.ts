import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshError } from '../base/errors.js';
import type { PartyManifest } from './manifest.js';

/** A party's cache may not exceed this (the manifest's size; bounded, on disk). */
export const MAX_CACHE_BYTES = 16 * 1024 ** 3;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of a whole file, streamed (never held in memory). */
export function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The per-piece hashes of a file, read piece by piece (for the streamer's manifest). */
export async function hashPieces(
  path: string,
  pieceSize: number,
): Promise<{ size: number; pieces: string[] }> {
  const size = statSync(path).size;
  const handle = await open(path, 'r');
  try {
    const pieces: string[] = [];
    const buffer = new Uint8Array(pieceSize);
    for (let offset = 0; offset < size; offset += pieceSize) {
      const length = Math.min(pieceSize, size - offset);
      await handle.read(buffer, 0, length, offset);
      pieces.push(sha256Hex(buffer.subarray(0, length)));
    }
    return { size, pieces };
  } finally {
    await handle.close();
  }
}

/**
 * A party's pieces on disk: the streamer's store reads its source file (it holds every
 * piece); a member's writes verified pieces into one sparse file in the party's cache
 * folder, which close() removes. Only which pieces are held is kept in memory.
 */
export class PieceStore {
  readonly path: string;
  readonly #manifest: PartyManifest;
  readonly #dir: string;
  readonly #source: boolean;
  readonly #have: Uint8Array;
  #count = 0;
  #handle: Promise<FileHandle> | null = null;
  #closed = false;

  constructor(o: { manifest: PartyManifest; dir: string; sourcePath?: string | undefined }) {
    this.#manifest = o.manifest;
    this.#dir = o.dir;
    const total = o.manifest.pieces.length;
    this.#have = new Uint8Array(total);
    if (o.sourcePath !== undefined) {
      if (statSync(o.sourcePath).size !== o.manifest.size) {
        throw new MeshError('ERR_BAD_MESSAGE', 'source file size differs from the manifest');
      }
      this.#source = true;
      this.path = o.sourcePath;
      this.#have.fill(1);
      this.#count = total;
    } else {
      if (o.manifest.size > MAX_CACHE_BYTES) {
        throw new MeshError('ERR_BAD_MESSAGE', 'shared file exceeds the cache bound');
      }
      this.#source = false;
      mkdirSync(o.dir, { recursive: true, mode: 0o700 });
      this.path = join(o.dir, 'file');
    }
  }

  get total(): number {
    return this.#have.length;
  }

  get count(): number {
    return this.#count;
  }

  get complete(): boolean {
    return this.#count === this.total;
  }

  has(index: number): boolean {
    return this.#have[index] === 1;
  }

  pieceLength(index: number): number {
    const { size, pieceSize } = this.#manifest;
    return Math.min(pieceSize, size - index * pieceSize);
  }

  /** One bit per piece, most significant bit first (piece 0 is 0x80 of byte 0). */
  bitfield(): Uint8Array {
    const bits = new Uint8Array(Math.ceil(this.total / 8));
    this.#have.forEach((held, i) => {
      if (held) bits[i >> 3] = (bits[i >> 3] ?? 0) | (0x80 >> (i & 7));
    });
    return bits;
  }

  async read(index: number): Promise<Uint8Array> {
    if (!this.has(index)) throw new MeshError('ERR_BAD_MESSAGE', `piece ${index} not held`);
    const handle = await this.#file();
    const bytes = new Uint8Array(this.pieceLength(index));
    await handle.read(bytes, 0, bytes.length, index * this.#manifest.pieceSize);
    return bytes;
  }

  /** Bytes [start, end) of the file; the caller makes sure their pieces are held. */
  async readRange(start: number, end: number): Promise<Uint8Array> {
    const handle = await this.#file();
    const bytes = new Uint8Array(Math.max(0, end - start));
    await handle.read(bytes, 0, bytes.length, start);
    return bytes;
  }

  /** Writes a piece the caller has verified against the manifest. */
  async write(index: number, bytes: Uint8Array): Promise<void> {
    if (this.#source || this.has(index)) return;
    if (bytes.length !== this.pieceLength(index)) {
      throw new MeshError('ERR_BAD_MESSAGE', `piece ${index} has the wrong length`);
    }
    const handle = await this.#file();
    await handle.write(bytes, 0, bytes.length, index * this.#manifest.pieceSize);
    if (this.#closed || this.has(index)) return;
    this.#have[index] = 1;
    this.#count++;
  }

  /** Idempotent: closes the file and removes a member's cache folder. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const handle = this.#handle;
    this.#handle = null;
    const remove = (): void => {
      if (!this.#source) rmSync(this.#dir, { recursive: true, force: true });
    };
    if (handle) {
      void handle
        .then((h) => h.close())
        .catch(() => undefined)
        .finally(remove);
    }
    remove();
  }

  #file(): Promise<FileHandle> {
    if (this.#closed) return Promise.reject(new MeshError('ERR_CLOSED', 'piece store closed'));
    this.#handle ??= open(this.path, this.#source ? 'r' : 'w+');
    return this.#handle;
  }
}
