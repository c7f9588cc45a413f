import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TextFileIO } from '../crypto/index.js';

/**
 * A text file only its owner may read (identity keys, known peers). The folder is made
 * 0700 and the file written 0600 through a temporary file and an atomic rename, so a
 * crash never leaves half a key file behind.
 */
export function ownerOnlyFile(dataDir: string, fileName: string): TextFileIO {
  const filePath = path.join(dataDir, fileName);
  return {
    async read(): Promise<string | null> {
      try {
        return await readFile(filePath, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async write(text: string): Promise<void> {
      await ensureDataDir(dataDir);
      await writeOwnerOnly(filePath, text);
    },
  };
}

let writesStarted = 0;

/**
 * Writes a file only its owner may read (0600), through a temporary file and an atomic
 * rename: readers never see half a file. Also for what the node writes where the user says
 * (recordings, exports), which may be as private as the call.
 */
export async function writeOwnerOnly(filePath: string, data: string | Uint8Array): Promise<void> {
  // Numbered: two writes of one file at once (two quick renames) must not share a temporary.
  const temporary = `${filePath}.${process.pid}.${++writesStarted}.tmp`;
  // A leftover of a crashed process with our pid (or a link planted there) goes first; 'wx'
  // then creates the file anew and never writes through a link.
  await rm(temporary, { force: true });
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, filePath);
  await chmod(filePath, 0o600);
}

export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
}
