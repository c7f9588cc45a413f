import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decide, prepareFile, probe } from '../../main/party/prepare.js';
import { tempDir } from '../helpers/party-swarms.js';

/** A short generated clip: test pattern and a tone, with the given codecs and container. */
function makeClip(path: string, codecArgs: string[], seconds = 3, size = '320x240'): void {
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', String(seconds), ...codecArgs, '-y', path],
  ]);
}

describe('watch party: preparing a file to share (ffprobe / ffmpeg)', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('prepare');
  });
  afterEach(() => temp.remove());

  it('keeps an H.264/AAC MP4 byte for byte', async () => {
    const path = join(temp.dir, 'in.mp4');
    makeClip(path, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac']);
    const before = readFileSync(path);
    const progress: number[] = [];
    const prepared = await prepareFile({
      path,
      outDir: temp.dir,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(prepared.decision, 'keep');
    assert.equal(prepared.path, path);
    assert.equal(prepared.mime, 'video/mp4');
    assert.match(prepared.codecs, /^avc1\.[0-9a-f]{6}, mp4a\.40\.2$/);
    assert.ok(Math.abs(prepared.duration - 3) < 0.2);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(progress, []);
  });

  it('remuxes an MKV with H.264 into an MP4 without re-encoding', async () => {
    const path = join(temp.dir, 'in.mkv');
    makeClip(path, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac']);
    const prepared = await prepareFile({ path, outDir: temp.dir });
    assert.equal(prepared.decision, 'remux');
    assert.notEqual(prepared.path, path);
    const out = await probe(prepared.path);
    assert.equal(out.container, 'mov,mp4,m4a,3gp,3g2,mj2');
    assert.equal(out.video?.codec, 'h264');
    assert.equal(out.audio?.codec, 'aac');
    // Copied, not re-encoded: the video stream's packets are the same bytes.
    const packets = (file: string): string =>
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-i',
        file,
        '-map',
        '0:v:0',
        '-c',
        'copy',
        '-f',
        'md5',
        '-',
      ]).toString();
    assert.equal(packets(prepared.path), packets(path));
  });

  it('transcodes an AVI (MPEG-4 Part 2 video, AC-3 audio) to H.264/AAC with progress', async () => {
    const path = join(temp.dir, 'in.avi');
    makeClip(path, ['-c:v', 'mpeg4', '-c:a', 'ac3'], 8, '640x360');
    const progress: number[] = [];
    const prepared = await prepareFile({
      path,
      outDir: temp.dir,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(prepared.decision, 'transcode');
    const out = await probe(prepared.path);
    assert.equal(out.container, 'mov,mp4,m4a,3gp,3g2,mj2');
    assert.equal(out.video?.codec, 'h264');
    assert.equal(out.video?.pixFmt, 'yuv420p');
    assert.equal(out.audio?.codec, 'aac');
    assert.ok(Math.abs(out.duration - 8) < 0.3);
    assert.equal(progress.at(-1), 100);
    assert.ok(progress.length >= 2, `progress: ${progress.join(',')}`);
    assert.deepEqual(
      [...progress].sort((a, b) => a - b),
      progress,
      'progress only rises',
    );
  });

  it('stops ffmpeg when the share is called off', async () => {
    const path = join(temp.dir, 'long.avi');
    makeClip(path, ['-c:v', 'mpeg4', '-c:a', 'ac3'], 60, '640x360');
    const controller = new AbortController();
    const progress: number[] = [];
    const prepared = prepareFile({
      path,
      outDir: temp.dir,
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p);
        controller.abort();
      },
    });
    await assert.rejects(prepared, { code: 'ERR_BAD_SOURCE', message: /aborted/ });
    assert.ok((progress.at(-1) ?? 100) < 100);
  });

  it('decides by container and codecs as Chromium plays them', () => {
    const mp4 = 'mov,mp4,m4a,3gp,3g2,mj2';
    const h264 = { codec: 'h264', pixFmt: 'yuv420p' };
    const d = (container: string, video: object | null, audio: object | null): string =>
      decide({ container, duration: 1, video: video as never, audio: audio as never }).decision;
    assert.equal(d(mp4, h264, { codec: 'aac' }), 'keep');
    assert.equal(d('matroska,webm', { codec: 'vp9' }, { codec: 'opus' }), 'keep');
    assert.equal(d('matroska,webm', h264, { codec: 'aac' }), 'remux');
    assert.equal(d(mp4, { codec: 'hevc' }, { codec: 'aac' }), 'transcode');
    assert.equal(d(mp4, h264, { codec: 'ac3' }), 'transcode');
    assert.equal(d(mp4, { codec: 'h264', pixFmt: 'yuv420p10le' }, null), 'transcode');
    assert.throws(() => d(mp4, null, { codec: 'aac' }), /no video/);
  });

  it('refuses a file that is not a video, with a clear error', async () => {
    const path = join(temp.dir, 'noise.mp4');
    writeFileSync(path, Buffer.alloc(4096, 7));
    await assert.rejects(prepareFile({ path, outDir: temp.dir }), { code: 'ERR_BAD_SOURCE' });
    await assert.rejects(prepareFile({ path: join(temp.dir, 'missing.mp4'), outDir: temp.dir }), {
      code: 'ERR_FILE_UNAVAILABLE',
    });
  });
});
