import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { peerIdFromPublicKey } from '../../crypto/index.js';
import { readSubtitleTracks, trackWebVtt } from '../../main/party/subtitle-files.js';
import type { PartyManifest } from '../../p2p/party/manifest.js';
import {
  MAX_SUBTITLE_TRACKS,
  MIN_PIECE_SIZE,
  signManifest,
  verifyManifest,
} from '../../p2p/party/manifest.js';
import { buildWebVtt, parseSubtitles } from '../../protocol/subtitles.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';

const streamer = seededIdentity(7);
const streamerId = peerIdFromPublicKey(streamer.publicKey);
const keyOf = (peer: string): Uint8Array | null =>
  peer === streamerId ? streamer.publicKey : null;

function manifest(subtitles?: PartyManifest['subtitles']): PartyManifest {
  return {
    party: 'a'.repeat(32),
    epoch: 0,
    streamer: streamerId,
    title: 'film.mp4',
    size: MIN_PIECE_SIZE,
    duration: 60,
    mime: 'video/mp4',
    codecs: 'avc1.64001f, mp4a.40.2',
    pieceSize: MIN_PIECE_SIZE,
    pieces: ['0'.repeat(64)],
    ...(subtitles ? { subtitles } : {}),
  };
}

describe('watch party subtitles the streamer attaches', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshcall-subtitles-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an SRT file becomes a WebVTT track of the same cues, labelled by its name', async () => {
    const file = join(dir, 'film.en.srt');
    await writeFile(
      file,
      '1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n',
    );
    const [track] = await readSubtitleTracks([file]);
    assert.ok(track);
    assert.equal(track.label, 'film.en');
    const vtt = trackWebVtt(track);
    assert.ok(vtt?.startsWith('WEBVTT'), String(vtt));
    const parsed = parseSubtitles(vtt ?? '');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.cues, [
      { start: 1, end: 2.5, text: 'Hello' },
      { start: 3, end: 4, text: 'Bye' },
    ]);
  });

  it('refuses what is not subtitles, naming the file, and more tracks than the manifest holds', async () => {
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'just some words');
    await assert.rejects(readSubtitleTracks([file]), /notes\.txt/);
    const many = Array.from({ length: MAX_SUBTITLE_TRACKS + 1 }, () => file);
    await assert.rejects(readSubtitleTracks(many), /at most/);
  });

  it('a cue cannot end the WebVTT early or forge a cue', () => {
    const vtt = buildWebVtt([
      { start: 0, end: 1, text: 'a\n\n00:00:05.000 --> 00:00:09.000\nforged' },
    ]);
    const parsed = parseSubtitles(vtt);
    assert.ok(parsed.ok);
    assert.equal(parsed.cues.length, 1);
  });

  it('the tracks are signed with the manifest: changing one breaks the signature', async () => {
    const file = join(dir, 'film.srt');
    await writeFile(file, '1\n00:00:00,000 --> 00:00:01,000\nHi\n');
    const tracks = await readSubtitleTracks([file]);
    const signed = signManifest(manifest(tracks), streamer);
    assert.deepEqual(verifyManifest(signed, keyOf)?.subtitles, tracks);
    const relabelled = {
      ...signed,
      manifest: { ...signed.manifest, subtitles: [{ ...tracks[0]!, label: 'other' }] },
    };
    assert.equal(verifyManifest(relabelled, keyOf), null);
    const dropped = { ...signed, manifest: { ...signed.manifest, subtitles: undefined } };
    assert.equal(verifyManifest(dropped, keyOf), null);
    // A manifest without subtitles signs and verifies as before.
    assert.ok(verifyManifest(signManifest(manifest(), streamer), keyOf));
  });

  it('a track that inflates past its bound, or to no subtitles, is not served', () => {
    const bomb = deflateRawSync(Buffer.alloc(16 * 1024 * 1024, 0x41), { level: 9 });
    assert.equal(trackWebVtt({ label: 'bomb', data: bomb.toString('base64') }), null);
    const junk = deflateRawSync(Buffer.from('not subtitles at all')).toString('base64');
    assert.equal(trackWebVtt({ label: 'junk', data: junk }), null);
    assert.equal(trackWebVtt({ label: 'garbage', data: 'AAAA' }), null);
  });
});
