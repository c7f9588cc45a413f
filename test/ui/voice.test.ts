/**
 * Voice in the interface, in a real Chromium with its fake microphone (a beep every 500 ms),
 * against a real headless node sending a 660 Hz tone: A = `meshcall app --web` (its voice
 * is the page's microphone) with Chromium in its namespace, B = the headless node.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import wavefile from 'wavefile';
import { dominantFrequency, rmsDb } from '../helpers/audio-analysis.js';
import type { NodeEvent, HeadlessNode } from '../helpers/json-lines-process.js';
import { repoRoot } from '../helpers/json-lines-process.js';
import type { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import type { AppProcess } from './app-process.js';
import {
  inviteBob,
  openAppPage,
  reportFailure,
  startAdaAndBob,
  stopEverything,
} from './two-nodes.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { FAKE_BEEP_HZ, FAKE_MEDIA_ARGS } from './chromium-in-netns.js';

const TONE_HZ = 660;
const RECORD_SECONDS = 3;
/** One bin of the page's analyser (fftSize 4096 at 48 kHz) is 11.7 Hz. */
const ANALYSER_BIN_HZ = 48_000 / 4096;

// What the page exposes for diagnostics (renderer/audio/diagnostics.ts); the root tsconfig
// has no DOM lib, and these functions run inside the page.
interface VoiceDiagnostics {
  outputPeak(): { hz: number; db: number } | null;
  counts(): { sent: number; received: number; bad: number };
}
declare const window: { meshcallVoice?: VoiceDiagnostics };

async function readWav(file: string): Promise<Float32Array> {
  const wav = new wavefile.WaveFile(await readFile(file));
  wav.toBitDepth('32f');
  return wav.getSamples(false, Float32Array) as unknown as Float32Array;
}

/** 10 ms windows louder than the quiet between beeps by 20 dB, grouped into bursts. */
function bursts(pcm: Float32Array): Float32Array[] {
  const window = 480;
  const levels: number[] = [];
  for (let i = 0; i + window <= pcm.length; i += window) {
    levels.push(rmsDb(pcm.subarray(i, i + window)));
  }
  const floor = [...levels].sort((a, b) => a - b)[Math.floor(levels.length / 2)] ?? -Infinity;
  const found: Float32Array[] = [];
  let start = -1;
  for (let k = 0; k <= levels.length; k++) {
    const loud = k < levels.length && (levels[k] ?? -Infinity) > Math.max(floor + 20, -60);
    if (loud && start === -1) start = k;
    if (!loud && start !== -1) {
      found.push(pcm.subarray(start * window, k * window));
      start = -1;
    }
  }
  return found;
}

function audioPackets(stats: NodeEvent, peer: string): number {
  const members = stats.members as { peer: string; audio: { packets: number } }[];
  return members.find((member) => member.peer === peer)?.audio.packets ?? -1;
}

describe('voice in the interface (Chromium, fake microphone, headless node)', function () {
  this.timeout(180_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  let dir = '';
  let adaId = '';
  const pageErrors: string[] = [];
  const bobTile = (): string => `.tile-remote[data-peer="${bob.id}"]`;

  /** Bob's next stats event, and the packets he has received from Ada by then. */
  async function packetsAtBob(): Promise<number> {
    return audioPackets(await bob.waitForNext('stats', undefined, 10_000), adaId);
  }

  before(async function () {
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'audio-worklet.js')),
      'dist/renderer is not built: run npm run build',
    );
    dir = await mkdtemp(join(tmpdir(), 'meshcall-ui-voice-'));
    ({ network, app, bob, chrome } = await startAdaAndBob({
      label: 'uivoice',
      appArgs: ['--fps', '5'],
      bobArgs: [...patternVideo('320x240', 5), '--audio-source', `tone:${TONE_HZ}`],
      chromiumArgs: FAKE_MEDIA_ARGS,
    }));
    page = await openAppPage(chrome, app.url, pageErrors);
    adaId = await inviteBob(page, bob);
  });

  afterEach(async function () {
    await reportFailure(this.currentTest, { app, pageErrors });
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("plays the node's tone in the page: the output mix peaks at 660 Hz", async () => {
    const handle = await page.waitForFunction(
      ([hz, bin]) => {
        const peak = window.meshcallVoice?.outputPeak();
        return peak && Math.abs(peak.hz - hz) <= bin && peak.db > -60 ? peak : null;
      },
      [TONE_HZ, ANALYSER_BIN_HZ] as const,
      { timeout: 20_000, polling: 250 },
    );
    const peak = (await handle.jsonValue()) as { hz: number; db: number };
    assert.ok(Math.abs(peak.hz - TONE_HZ) <= ANALYSER_BIN_HZ, `peak at ${peak.hz} Hz`);
    const counts = await page.evaluate(() => window.meshcallVoice?.counts());
    assert.ok((counts?.received ?? 0) > 0 && counts?.bad === 0, JSON.stringify(counts));
  });

  it('lights the speaking indicator of the member who talks, and our own with the beeps', async () => {
    await page.locator(`${bobTile()}[data-speaking="true"]`).waitFor({ timeout: 10_000 });
    await page.locator('.tile-self[data-speaking="true"]').waitFor({ timeout: 10_000 });
    // Bob mutes: his tile says so, and stops showing him speaking.
    bob.send({ cmd: 'mute', muted: true });
    await page.locator(`${bobTile()}[data-muted="true"][data-speaking="false"]`).waitFor();
    assert.match((await page.locator(bobTile()).getAttribute('aria-label')) ?? '', /muted/);
    bob.send({ cmd: 'mute', muted: false });
    await page.locator(`${bobTile()}[data-muted="false"][data-speaking="true"]`).waitFor();
  });

  it("carries the fake microphone's beeps: the node's recording has bursts at the beep frequency", async () => {
    const file = join(dir, 'ada-at-bob.wav');
    bob.send({ cmd: 'record-audio', peer: adaId, seconds: RECORD_SECONDS, path: file });
    await bob.waitFor('audio-recorded', (e) => e.path === file, 40_000);
    const pcm = await readWav(file);
    const found = bursts(pcm);
    // A beep every 500 ms: about six in three seconds; a few may straddle the edges.
    assert.ok(found.length >= 4 && found.length <= 8, `${found.length} bursts`);
    const joined = new Float32Array(found.reduce((sum, b) => sum + b.length, 0));
    let at = 0;
    for (const burst of found) {
      joined.set(burst, at);
      at += burst.length;
    }
    const hz = dominantFrequency(joined);
    assert.ok(Math.abs(hz - FAKE_BEEP_HZ) <= 25, `bursts peak at ${hz.toFixed(1)} Hz`);
  });

  it('mute in the page stops the packets at the node, which sees mute-state; unmute resumes', async () => {
    const flowing = await packetsAtBob();
    assert.ok((await packetsAtBob()) > flowing, 'packets arrive while unmuted');
    const muted = bob.waitForNext(
      'mute-state',
      (e) => e.peer === adaId && e.muted === true,
      10_000,
    );
    await page.getByRole('button', { name: 'Mute microphone (M)' }).click();
    await muted;
    await page.getByRole('button', { name: 'Unmute microphone (M)', pressed: true }).waitFor();
    await page.locator('.tile-self[data-muted="true"]').waitFor();
    // Packets still in flight when mute-state was sent may land in the next stats period.
    await packetsAtBob();
    const stopped = await packetsAtBob();
    await packetsAtBob();
    assert.equal(await packetsAtBob(), stopped, 'no packet while muted');
    // Speaking while muted: the page says so (the fake microphone beeps on).
    await page.getByRole('status').filter({ hasText: 'You are muted' }).waitFor();
    const unmuted = bob.waitForNext('mute-state', (e) => e.peer === adaId && !e.muted, 10_000);
    await page.keyboard.press('m');
    await unmuted;
    await packetsAtBob();
    assert.ok((await packetsAtBob()) > stopped, 'packets arrive again after unmuting');
  });
});
