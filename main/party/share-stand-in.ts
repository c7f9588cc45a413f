/**
 * STAND-IN, TO REMOVE when H-swarm's branch (pswarm) is merged: H-swarm's
 * main/party/prepare.ts probes the file (keep / remux / transcode) and builds the manifest.
 * This one only probes the duration with Debian's ffprobe and hashes the file as it is.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomId } from '../../p2p/base/ids.js';
import type { PartyManifest } from '../../p2p/party/swarm-stand-in.js';

const run = promisify(execFile);
const PIECE_SIZE = 256 * 1024;

async function probeDuration(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'default=nw=1:nk=1',
    file,
  ]);
  const duration = Number(stdout.trim());
  if (!Number.isFinite(duration) || duration <= 0) throw new Error('no duration');
  return duration;
}

async function hashPieces(file: string): Promise<string[]> {
  const pieces: string[] = [];
  let hash = createHash('sha256');
  let filled = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: PIECE_SIZE })) {
    let bytes = chunk as Buffer;
    while (bytes.length > 0) {
      const take = Math.min(bytes.length, PIECE_SIZE - filled);
      hash.update(bytes.subarray(0, take));
      filled += take;
      bytes = bytes.subarray(take);
      if (filled === PIECE_SIZE) {
        pieces.push(hash.digest('hex'));
        hash = createHash('sha256');
        filled = 0;
      }
    }
  }
  if (filled > 0) pieces.push(hash.digest('hex'));
  return pieces;
}

export async function prepareShare(
  file: string,
  o: { streamer: string; epoch: number; progress: (percent: number) => void },
): Promise<{ manifest: PartyManifest; path: string }> {
  const { size } = await stat(file);
  o.progress(0);
  const [duration, pieces] = await Promise.all([probeDuration(file), hashPieces(file)]);
  o.progress(100);
  const manifest: PartyManifest = {
    party: randomId(),
    epoch: o.epoch,
    streamer: o.streamer,
    title: path.basename(file).slice(0, 256),
    size,
    duration,
    mime: 'video/mp4',
    codecs: '',
    pieceSize: PIECE_SIZE,
    pieces,
  };
  return { manifest, path: file };
}
