/**
 * The watch party in the pages (issue #12): two Chromium viewers, each with its own app node
 * (browser bridge) in its own namespace, and a headless streamer, Bob, who also holds the
 * remote. The film plays in each page's <video> from its node's piece store; the drift
 * between the two pages is sampled on every presented frame.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { repoRoot } from '../helpers/json-lines-process.js';
import type { WatchParty } from './party-setup.js';
import { ffmpeg, startWatchParty } from './party-setup.js';
import {
  filmState,
  measureDrift,
  percentileOf,
  preparingSeen,
  recordPreparing,
  waitCueShown,
  waitOtherFilm,
  waitPaused,
  waitPlayingPast,
} from './party-probes.js';

const SUBTITLE_TEXT = 'Hello from the subtitles';
const STREAMER_TEXT = 'Subtitles the streamer attached';

describe('watch party in the interface (two Chromium viewers, headless streamer)', function () {
  this.timeout(120_000);
  let dir = '';
  let party: WatchParty | undefined;
  let bob: HeadlessNode;
  let pageA: Page;
  let pageC: Page;
  let pageErrors: string[] = [];
  let clip = '';
  let avi = '';
  let srt = '';
  let streamerSrt = '';
  let adaId = '';

  before(async function () {
    this.timeout(180_000);
    dir = await mkdtemp(join(tmpdir(), 'meshcall-ui-party-'));
    clip = join(dir, 'film.mp4');
    avi = join(dir, 'old.avi');
    srt = join(dir, 'mine.srt');
    streamerSrt = join(dir, 'film-en.srt');
    await Promise.all([
      ffmpeg([
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '100'],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', '-c:a', 'aac'],
        ...['-movflags', '+faststart', clip],
      ]),
      // MPEG-4 Part 2 and MP3 in AVI: nothing Chromium plays, so the share converts it.
      ffmpeg([
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=330', '-t', '8'],
        ...['-c:v', 'mpeg4', '-c:a', 'libmp3lame', avi],
      ]),
      writeFile(srt, `1\n00:00:00,000 --> 01:00:00,000\n${SUBTITLE_TEXT}\n`),
      writeFile(streamerSrt, `1\n00:00:00,000 --> 01:00:00,000\n${STREAMER_TEXT}\n`),
    ]);
    party = await startWatchParty('ui-party');
    ({ bob, pageA, pageC, pageErrors, adaId } = party);
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    console.error(party?.logs() ?? '');
    if (pageErrors.length > 0) console.error(`  page errors: ${pageErrors.join(' | ')}`);
  });

  after(async function () {
    this.timeout(60_000);
    await party?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const measure = (until: number): Promise<number[]> => measureDrift(pageA, pageC, until);

  it('a film Bob shares plays in both pages in sync, through a seek and a pause by Bob', async () => {
    bob.send({ cmd: 'party-share', path: clip, subtitles: [streamerSrt] });
    await Promise.all([waitPlayingPast(pageA, 1, 30_000), waitPlayingPast(pageC, 1, 30_000)]);
    const phases = [await measure(31)];

    bob.send({ cmd: 'party-seek', position: 50 });
    await Promise.all([waitPlayingPast(pageA, 50.5), waitPlayingPast(pageC, 50.5)]);
    phases.push(await measure(65));

    bob.send({ cmd: 'party-pause' });
    await Promise.all([waitPaused(pageA), waitPaused(pageC)]);
    const [pausedA, pausedC] = await Promise.all([filmState(pageA), filmState(pageC)]);
    const pausedApart = Math.abs(pausedA.time - pausedC.time) * 1000;
    bob.send({ cmd: 'party-play' });
    await Promise.all([
      waitPlayingPast(pageA, pausedA.time + 0.5),
      waitPlayingPast(pageC, pausedC.time + 0.5),
    ]);
    phases.push(await measure(pausedA.time + 15));
    const drifts = phases.flat();

    const figures = {
      samples: drifts.length,
      p50: percentileOf(drifts, 50),
      p95: percentileOf(drifts, 95),
      max: Math.max(...drifts),
      pausedApart,
      phasesP95: phases.map((phase) => Math.round(percentileOf(phase, 95))),
    };
    console.log(`      drift between the pages (ms): ${JSON.stringify(figures)}`);
    assert.ok(drifts.length > 1000, `compared ${drifts.length} frames`);
    // The goal (p95 ≤ 50 ms) is a figure of `npm run bench -- party`; this bounds what must
    // hold on a loaded machine too (full runs here: p95 33–67 ms): the pages play the same
    // moment, not seconds apart.
    assert.ok(figures.p95 <= 150, `drift p95 ${figures.p95} ms`);
    assert.ok(pausedApart <= 150, `paused ${pausedApart} ms apart`);
    assert.deepEqual(pageErrors, []);
  });

  it('volume, mute and subtitles are each viewer’s own: the streamer’s SRT, or one of hers', async () => {
    await pageA.getByRole('slider', { name: 'Film volume (only for you)' }).fill('0.3');
    await pageA.getByRole('button', { name: 'Mute the film (only for you)' }).click();
    const subtitles = pageA.getByRole('combobox', { name: 'Subtitles (only for you)' });
    await subtitles.selectOption({ label: 'film-en' });
    await waitCueShown(pageA, STREAMER_TEXT);
    await pageA.locator('input[data-party-subtitles]').setInputFiles(srt);
    await waitCueShown(pageA, SUBTITLE_TEXT);
    const [a, c] = await Promise.all([filmState(pageA), filmState(pageC)]);
    assert.ok(Math.abs(a.volume - 0.3) < 0.01 && a.muted, `Ada: ${JSON.stringify(a)}`);
    assert.ok(a.tracks === 1, 'Ada has her subtitle track');
    assert.deepEqual(
      { volume: c.volume, muted: c.muted, tracks: c.tracks },
      { volume: 1, muted: false, tracks: 0 },
      'nothing of it reaches Cleo',
    );
    // Ada's film keeps its place: local choices do not touch the party.
    await waitPlayingPast(pageA, a.time + 1);
    await pageA.screenshot({ path: join(repoRoot(), 'docs', 'screenshots', 'party.png') });
  });

  it('a file Chromium cannot play (AVI) is converted with progress, then plays in both pages', async () => {
    const before = await pageA.locator('video.party-video').getAttribute('data-party');
    await recordPreparing(pageA);
    await pageA.getByRole('button', { name: 'Share a video with everyone in the call' }).click();
    const dialog = pageA.getByRole('dialog', { name: 'Watch a video together' });
    await dialog.getByLabel('Video file on this computer').fill(avi);
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await Promise.all([waitOtherFilm(pageA, before), waitOtherFilm(pageC, before)]);
    const captions = await preparingSeen(pageA);
    assert.ok(captions.length >= 1, `progress shown: ${captions.join(', ')}`);
    const state = await bob.waitFor('party-state', (e) => e.title === 'old.avi', 10_000);
    assert.equal(state.streamer, adaId, 'Ada took over as the streamer');
  });
});
