import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkClientMessage, checkClientText } from '../../main/bridge/client-messages.js';
import { BridgeError } from '../../main/bridge/errors.js';
import { encodeUiFrame } from '../../main/bridge/frame-codec.js';
import { readStaticFile } from '../../main/bridge/static-files.js';
import { decodeUiFrame } from '../../protocol/ui-frames.js';
import { meshcallBin, repoRoot } from '../helpers/json-lines-process.js';
import { LineCollector, exitOf } from '../helpers/lines.js';

const PEER = '00112233445566778899aabbccddeeff';

describe('browser bridge parts', () => {
  describe('ui-protocol frames', () => {
    it('lays a frame out as main/ui-protocol.ts says', () => {
      const jpeg = Uint8Array.from([0xff, 0xd8, 1, 2, 3]);
      const bytes = encodeUiFrame({
        kind: 'remote',
        peer: PEER,
        frame: 0x01020304,
        width: 640,
        height: 480,
        jpeg,
      });
      assert.equal(bytes.byteLength, 25 + jpeg.byteLength);
      assert.equal(bytes[0], 1);
      assert.equal(Buffer.from(bytes.subarray(1, 17)).toString('hex'), PEER);
      assert.deepEqual([...bytes.subarray(17, 21)], [1, 2, 3, 4]);
      assert.deepEqual([...bytes.subarray(21, 25)], [0x02, 0x80, 0x01, 0xe0]);
      assert.deepEqual([...bytes.subarray(25)], [...jpeg]);
      const local = encodeUiFrame({
        kind: 'local',
        peer: PEER,
        frame: 7,
        width: 1,
        height: 1,
        jpeg,
      });
      assert.equal(local[0], 2);
      assert.deepEqual(decodeUiFrame(bytes), {
        kind: 'remote',
        peer: PEER,
        frame: 0x01020304,
        width: 640,
        height: 480,
        jpeg: bytes.subarray(25),
      });
    });

    it('refuses what does not fit the layout', () => {
      const jpeg = new Uint8Array(4);
      const base = { kind: 'local' as const, peer: PEER, frame: 1, width: 2, height: 2, jpeg };
      for (const bad of [
        { ...base, peer: 'not-hex' },
        { ...base, peer: PEER.toUpperCase() },
        { ...base, frame: 2 ** 32 },
        { ...base, frame: -1 },
        { ...base, width: 65536 },
        { ...base, height: 1.5 },
      ]) {
        assert.throws(
          () => encodeUiFrame(bad),
          (err: unknown) => err instanceof BridgeError && err.code === 'ERR_BRIDGE_FRAME',
        );
      }
      assert.equal(decodeUiFrame(new Uint8Array(24)), null);
      assert.equal(decodeUiFrame(new Uint8Array(30).fill(3)), null);
    });
  });

  describe('client messages', () => {
    const peers = { type: 'command', command: { cmd: 'peers' } };

    it('accepts a valid command and refuses quit from a page only', () => {
      assert.deepEqual(checkClientText(JSON.stringify(peers), { allowQuit: false }), {
        ok: true,
        command: { cmd: 'peers' },
      });
      const quit = { type: 'command', command: { cmd: 'quit' } };
      assert.equal(checkClientMessage(quit, { allowQuit: false }).ok, false);
      assert.equal(checkClientMessage(quit, { allowQuit: true }).ok, true);
    });

    it('refuses export-chat to a path from either shell; the download command passes', () => {
      const toPath = { type: 'command', command: { cmd: 'export-chat', path: '/tmp/x.md' } };
      for (const allowQuit of [false, true]) {
        const verdict = checkClientMessage(toPath, { allowQuit });
        assert.ok(!verdict.ok && verdict.message.includes('download'));
      }
      const text = { type: 'command', command: { cmd: 'export-chat-text', format: 'text' } };
      assert.equal(checkClientMessage(text, { allowQuit: false }).ok, true);
    });

    it('refuses non-JSON, wrong shapes and oversized text', () => {
      for (const text of [
        'nope',
        '[]',
        'null',
        '{"type":"command"}',
        '{"type":"command","command":{"cmd":"peers"},"x":1}',
        '{"type":"cmd","command":{"cmd":"peers"}}',
        JSON.stringify({ ...peers, padding: ' '.repeat(70 * 1024) }),
      ]) {
        const verdict = checkClientText(text, { allowQuit: false });
        assert.equal(verdict.ok, false, text.slice(0, 60));
      }
      // Sizes count bytes, not UTF-16 units.
      const wide = JSON.stringify({
        type: 'command',
        command: { cmd: 'chat', text: 'é'.repeat(33 * 1024) },
      });
      const verdict = checkClientText(wide, { allowQuit: false });
      assert.ok(!verdict.ok && verdict.message.includes('longer than'));
    });
  });

  describe('static files', () => {
    let root: string;
    let outside: string;

    before(async () => {
      outside = await mkdtemp(path.join(tmpdir(), 'meshcall-outside-'));
      await writeFile(path.join(outside, 'secret.txt'), 'secret');
      root = await mkdtemp(path.join(tmpdir(), 'meshcall-static-'));
      await writeFile(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
      await writeFile(path.join(root, 'app.js'), 'export {};');
      await writeFile(path.join(root, 'app.css'), 'body{}');
      await writeFile(path.join(root, '.env'), 'X=1');
      await mkdir(path.join(root, 'assets'));
      await writeFile(path.join(root, 'assets', 'logo.svg'), '<svg/>');
      await symlink(path.join(outside, 'secret.txt'), path.join(root, 'leak.txt'));
    });

    after(async () => {
      await rm(root, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    });

    it('serves files with their content types, / as index.html', async () => {
      const cases: [string, string][] = [
        ['/', 'text/html; charset=utf-8'],
        ['/index.html', 'text/html; charset=utf-8'],
        ['/app.js', 'text/javascript; charset=utf-8'],
        ['/app.css', 'text/css; charset=utf-8'],
        ['/assets/logo.svg', 'image/svg+xml'],
        ['/assets/%6Cogo.svg', 'image/svg+xml'],
      ];
      for (const [target, type] of cases) {
        const result = await readStaticFile(root, target);
        assert.equal(result.status, 200, target);
        assert.ok(result.status === 200 && result.contentType === type, target);
      }
    });

    it('answers 404 for directories, dotfiles, unknown files and links leading out', async () => {
      for (const target of ['/assets', '/assets/', '/.env', '/missing.js', '/leak.txt', '//']) {
        assert.equal((await readStaticFile(root, target)).status, 404, target);
      }
    });

    it('answers 400 for traversal and undecodable paths', async () => {
      for (const target of [
        '/../x',
        '/%2e%2e/x',
        '/assets/..%2f..%2fx',
        '/assets/%2E%2E/%2E%2E/x',
        '/.',
        '/a\\..\\x',
        '/%E0%A4%A',
        '/%00',
        'relative',
      ]) {
        assert.equal((await readStaticFile(root, target)).status, 400, target);
      }
    });

    it('serves a placeholder page while the renderer is not built', async () => {
      const missing = path.join(root, 'not-built');
      const page = await readStaticFile(missing, '/');
      assert.equal(page.status, 200);
      assert.ok(page.status === 200 && page.body.toString().includes('npm run build'));
      assert.equal((await readStaticFile(missing, '/app.js')).status, 404);
    });
  });

  describe('the meshcall command', () => {
    const run = async (args: string[]): Promise<{ code: number | null; stderr: string }> => {
      const child = spawn(process.execPath, [meshcallBin(), ...args], {
        cwd: repoRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stderr = new LineCollector(child.stderr, 'meshcall stderr');
      const stdout = new LineCollector(child.stdout, 'meshcall stdout');
      const { code } = await exitOf(child);
      assert.deepEqual(stdout.lines, []);
      return { code, stderr: stderr.lines.join('\n') };
    };

    it('prints both usages for --help', async () => {
      const { code, stderr } = await run(['--help']);
      assert.equal(code, 0);
      assert.match(stderr, /meshcall \[app\]/);
      assert.match(stderr, /meshcall headless/);
    });

    it('refuses bad app options before starting anything', async () => {
      for (const args of [
        ['app', '--bogus'],
        ['app', '--ui-port', '70000'],
        ['app', 'extra'],
        ['app', '--fps', 'x'],
      ]) {
        const { code, stderr } = await run(args);
        assert.equal(code, 2, args.join(' '));
        assert.match(stderr, /usage: meshcall \[app\]/, args.join(' '));
      }
    });
  });
});
