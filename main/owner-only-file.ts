import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
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
      const temporary = `${filePath}.${process.pid}.tmp`;
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, filePath);
      await chmod(filePath, 0o600);
    },
  };
}

export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
}
