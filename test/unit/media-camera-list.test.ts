/**
 * The cameras by name (sysfs, read from a folder passed in: this machine has no
 * /dev/video*) and LocalMedia's source state with the real capture process: a missing
 * camera is a plain `failed` state (the native words only in the log), the call is told our
 * video is off, and the test pattern brings it back.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../../p2p/base/logger.js';
import { silentLogger } from '../../p2p/base/logger.js';
import type { MediaSettingsView } from '../../protocol/api.js';
import { sessionEventSchema } from '../../protocol/api.js';
import type { MediaCalls } from '../../main/local-media.js';
import { LocalMedia } from '../../main/local-media.js';
import { cameraExists, listCameras, videoSourcesEvent } from '../../main/media/camera-list.js';
import { withTimeout } from '../helpers/wait.js';

/** A fake sysfs class folder: videoN/{name,index} as the kernel lays them out. */
function sysfs(root: string, devices: Record<string, { name?: string; index?: string }>): void {
  for (const [node, files] of Object.entries(devices)) {
    const folder = path.join(root, node);
    mkdirSync(folder, { recursive: true });
    if (files.name !== undefined) writeFileSync(path.join(folder, 'name'), `${files.name}\n`);
    if (files.index !== undefined) writeFileSync(path.join(folder, 'index'), `${files.index}\n`);
  }
}

describe('camera list (sysfs)', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshcall-v4l-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists capture nodes by number with their names, leaving out metadata nodes', () => {
    sysfs(dir, {
      video0: { name: 'Integrated Camera: Integrated C', index: '0' },
      video1: { name: 'Integrated Camera: Integrated C', index: '1' },
      video10: { name: 'USB Webcam', index: '0' },
      video2: { name: 'Capture card' },
      'v4l-subdev0': { name: 'not a video node', index: '0' },
      video3: { index: '0' },
    });
    assert.deepEqual(listCameras(dir), [
      { index: 0, name: 'Integrated Camera: Integrated C' },
      { index: 2, name: 'Capture card' },
      { index: 3 },
      { index: 10, name: 'USB Webcam' },
    ]);
  });

  it('lists nothing, without throwing, when the folder is missing or empty', () => {
    assert.deepEqual(listCameras(path.join(dir, 'absent')), []);
    assert.deepEqual(listCameras(dir), []);
    assert.equal(cameraExists(0, path.join(dir, 'absent')), false);
  });

  it('answers video-sources with the cameras, then the test pattern, valid for the API', () => {
    sysfs(dir, { video0: { name: 'USB Webcam', index: '0' }, video1: { index: '1' } });
    const event = videoSourcesEvent('camera:0', dir);
    assert.deepEqual(event.sources, [
      { source: 'camera:0', kind: 'camera', name: 'USB Webcam' },
      { source: 'pattern', kind: 'pattern' },
    ]);
    assert.equal(cameraExists(0, dir), true);
    assert.equal(cameraExists(1, dir), true);
    assert.equal(cameraExists(4, dir), false);
    assert.ok(sessionEventSchema.safeParse(event).success);
  });

  it('offers the first camera without a name where there is no sysfs (macOS, Windows)', () => {
    const event = videoSourcesEvent('pattern', path.join(dir, 'absent'), 'darwin');
    assert.deepEqual(event.sources, [
      { source: 'camera:0', kind: 'camera' },
      { source: 'pattern', kind: 'pattern' },
    ]);
    assert.ok(sessionEventSchema.safeParse(event).success);
  });
});

describe('LocalMedia source state (real capture process)', function () {
  this.timeout(30_000);
  let media: LocalMedia | null = null;
  afterEach(async () => {
    await media?.close();
    media = null;
  });

  it('a missing camera fails in plain words, tells the call, and the test pattern recovers', async function () {
    if (existsSync('/dev/video0')) this.skip();
    const logged: { message: string; fields: unknown }[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (message, fields) => logged.push({ message, fields }),
    };
    const announced: boolean[] = [];
    const calls = {
      on: () => undefined,
      members: () => ({ call: null, members: [] }),
      call: { announceVideo: (on: boolean) => announced.push(on) },
    } as unknown as MediaCalls;
    const views: MediaSettingsView[] = [];
    const next = (what: string, test: (view: MediaSettingsView) => boolean) =>
      withTimeout(
        new Promise<MediaSettingsView>((resolve) => {
          const found = views.find(test);
          if (found) resolve(found);
          media?.on('settings', (view) => {
            if (test(view)) resolve(view);
          });
        }),
        20_000,
        `waiting for ${what}`,
      );
    media = new LocalMedia({
      source: { kind: 'camera', index: 0 },
      settings: { width: 320, height: 240, fps: 15 },
      filters: [],
      logger,
    });
    media.on('settings', (view) => views.push(view));
    media.followCalls(calls);
    media.start();
    assert.equal(media.view.sourceState?.state, 'starting');

    const failed = await next('the failure', (view) => view.sourceState?.state === 'failed');
    const state = failed.sourceState;
    assert.equal(state?.code, 'ERR_CAMERA_UNAVAILABLE');
    assert.equal(state?.reason, 'camera-not-found');
    assert.equal(state?.message, 'there is no camera 0 on this computer');
    assert.equal(media.sending, false);
    assert.deepEqual(announced, [false], 'the call hears that our video is off');
    assert.equal(logged[0]?.message, 'video source failed');
    assert.match(JSON.stringify(logged[0]?.fields), /camera 0 is unavailable/);

    media.setSource({ kind: 'pattern' });
    await next('pictures again', (view) => view.sourceState?.state === 'live');
    assert.equal(media.sending, true);
    assert.deepEqual(announced, [false, true]);

    media.setEnabled(false);
    assert.deepEqual(media.view.sourceState, { state: 'off' });
    assert.deepEqual(announced, [false, true, false]);
  });
});
