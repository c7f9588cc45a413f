import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { meshcallBin, repoRoot } from '../helpers/json-lines-process.js';
import { LineCollector, exitOf, stopChild } from '../helpers/lines.js';
import { TestNetwork, type TestHost } from '../helpers/netns/hosts.js';
import { withTimeout } from '../helpers/wait.js';
import { encodeVoicePacket } from '../../protocol/audio/voice-packet.js';
import { FRAME_KIND_MIC, encodeUiMic } from '../../protocol/ui-frames.js';

type Json = Record<string, unknown>;

const WAIT_MS = 10_000;

/**
 * Drives test/helpers/ws-probe.ts inside the node's namespace (the bridge's 127.0.0.1 is
 * the namespace's loopback) and keeps everything it reports.
 */
class Probe {
  readonly records: Json[] = [];
  readonly exited: Promise<unknown>;
  private readonly waiters = new Set<{
    match: (record: Json) => boolean;
    from: number;
    resolve: (record: Json) => void;
  }>();
  private nextId = 1;

  constructor(private readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const record = JSON.parse(line) as Json;
      this.records.push(record);
      const index = this.records.length - 1;
      for (const waiter of [...this.waiters]) {
        if (index >= waiter.from && waiter.match(record)) {
          this.waiters.delete(waiter);
          waiter.resolve(record);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) =>
      process.stderr.write(`[probe] ${chunk.toString()}`),
    );
    this.exited = exitOf(child);
  }

  /** The first record matching, among those at index `from` or later (default: all). */
  waitFor(match: (record: Json) => boolean, what: string, from = 0): Promise<Json> {
    const past = this.records.slice(from).find(match);
    if (past) return Promise.resolve(past);
    const found = new Promise<Json>((resolve) => this.waiters.add({ match, from, resolve }));
    return withTimeout(found, WAIT_MS, `probe: no ${what}`);
  }

  mark(): number {
    return this.records.length;
  }

  op(op: Json): void {
    this.child.stdin!.write(`${JSON.stringify(op)}\n`);
  }

  async get(pathName: string, extra: Json = {}): Promise<Json> {
    const id = this.nextId++;
    this.op({ op: 'get', id, path: pathName, ...extra });
    return this.waitFor((r) => r.id === id, `answer to GET ${pathName}`);
  }

  /** Resolves with 'open', or the HTTP status the upgrade was refused with. */
  async open(
    conn: string,
    wsPath: string,
    origin?: string,
    cookie?: string,
  ): Promise<'open' | number> {
    const from = this.mark();
    this.op({ op: 'open', conn, path: wsPath, origin, cookie });
    const result = await this.waitFor(
      (r) => r.conn === conn && (r.event === 'open' || r.event === 'refused'),
      `outcome of opening ${conn}`,
      from,
    );
    return result.event === 'open' ? 'open' : (result.status as number);
  }

  send(conn: string, payload: Json): void {
    this.op({ op: 'send', conn, ...payload });
  }

  /** The next event message on `conn` (after record `from`) matching `match`. */
  event(conn: string, match: (event: Json) => boolean, what: string, from: number): Promise<Json> {
    return this.waitFor(
      (r) =>
        r.conn === conn &&
        r.event === 'message' &&
        (r.data as Json).type === 'event' &&
        match((r.data as { event: Json }).event),
      what,
      from,
    ).then((r) => (r.data as { event: Json }).event);
  }

  /** The session events (`{type:'event'}` messages) received on `conn` since record `from`. */
  eventsOn(conn: string, from = 0): Json[] {
    return this.messagesOn(conn, from)
      .filter((m) => m.type === 'event')
      .map((m) => m.event as Json);
  }

  messagesOn(conn: string, from = 0): Json[] {
    return this.records
      .slice(from)
      .filter((r) => r.conn === conn && r.event === 'message')
      .map((r) => r.data as Json);
  }
}

const isBadCommand = (event: Json): boolean =>
  event.event === 'error' && event.code === 'ERR_BAD_COMMAND';

/**
 * `meshcall app --web` in a network namespace of its own (its mDNS stays there), driven by
 * a WebSocket client in the same namespace.
 */
describe('browser bridge (meshcall app --web)', function () {
  this.timeout(60_000);
  let network: TestNetwork;
  let host: TestHost;
  let dataDir: string;
  let node: ChildProcess;
  let stdout: LineCollector;
  let stderr: LineCollector;
  let probe: Probe;
  let port: number;
  /** The one-time token of the printed URL. */
  let token: string;
  /** The first load of the page, with the token. */
  let firstLoad: Json;
  /** `name=value` of the session cookie that first load set. */
  let cookie: string;
  let origin: string;
  let self: Json;

  const nodeAlive = (): boolean => node.exitCode === null && node.signalCode === null;
  /** Clients the server has seen go (it logs each): a slot is free only after that. */
  const disconnects = (): number =>
    stderr.lines.filter((l) => l.includes('ui: client disconnected')).length;

  before(async () => {
    network = await TestNetwork.create(1, { label: 'bridge' });
    host = network.hosts[0]!;
    dataDir = await mkdtemp(path.join(tmpdir(), 'meshcall-bridge-'));
    node = host.spawn(
      process.execPath,
      [
        meshcallBin(),
        'app',
        '--web',
        '--no-open',
        '--source',
        'pattern',
        // JPEG: its big frames fill a paused client's buffers within seconds (the slow-client
        // test). The H.264 page path has its own tests (ui-encoded-frames, ui/video-codec).
        '--codec',
        'jpeg',
        '--name',
        'Ada',
        '--data-dir',
        dataDir,
        '--log-level',
        'debug',
      ],
      { cwd: repoRoot() },
    );
    stdout = new LineCollector(node.stdout!, 'node stdout');
    stderr = new LineCollector(node.stderr!, 'node stderr');
    const line = await stdout.waitFor((l) => l.startsWith('meshcall ui '), 20_000, 'the UI URL');
    const match = /^meshcall ui http:\/\/127\.0\.0\.1:(\d+)\/\?s=([A-Za-z0-9_-]{43})$/.exec(line);
    assert.ok(match, `unexpected URL line: ${line}`);
    port = Number(match[1]);
    token = match[2]!;
    origin = `http://127.0.0.1:${port}`;
    const script = path.join(repoRoot(), 'dist', 'test', 'helpers', 'ws-probe.js');
    probe = new Probe(host.spawn(process.execPath, [script, String(port)]));
    await probe.waitFor((r) => r.event === 'probe-ready', 'start');
    // What the browser xdg-open started does first.
    firstLoad = await probe.get(`/?s=${token}`);
    const setCookie = (firstLoad.headers as Record<string, string[] | undefined>)['set-cookie'];
    cookie = String(setCookie?.[0] ?? '').split(';')[0]!;
  });

  const refusedPages = (reason: string): number =>
    stderr.lines.filter((l) => l.includes('ui: page refused') && l.includes(reason)).length;

  describe('the one-time link', () => {
    it('trades the token on first load for an HttpOnly, SameSite=Strict session cookie', () => {
      assert.equal(firstLoad.status, 200);
      const setCookie = (firstLoad.headers as Record<string, string[]>)['set-cookie'];
      assert.equal(setCookie?.length, 1);
      // No Max-Age or Expires: a session cookie. The port keeps two runs apart.
      assert.match(
        setCookie[0]!,
        new RegExp(`^meshcall-${port}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`),
      );
      assert.ok(!setCookie[0]!.includes(token), 'the cookie is not the token');
    });

    it('refuses a second use of the link with a clear page, and counts it', async () => {
      const before = refusedPages('token already used');
      const again = await probe.get(`/?s=${token}`);
      assert.equal(again.status, 403);
      assert.equal((again.headers as Json)['content-type'], 'text/html; charset=utf-8');
      assert.match(String(again.body), /already used/);
      assert.equal((again.headers as Json)['set-cookie'], undefined);
      await stderr.waitFor(
        () => refusedPages('token already used') > before,
        WAIT_MS,
        'the refusal logged',
      );
      const wrong = await probe.get(`/?s=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);
      assert.equal(wrong.status, 403);
      assert.match(String(wrong.body), /not valid/);
      const none = await probe.get('/index.html');
      assert.equal(none.status, 403);
      assert.match(String(none.body), /Open the link meshcall printed/);
      assert.ok(nodeAlive());
    });

    it('serves the page again to the cookie (a reload), and sets no new cookie', async () => {
      for (const target of ['/', `/?s=${token}`, '/index.html']) {
        const reload = await probe.get(target, { cookie: `other=1; ${cookie}` });
        assert.equal(reload.status, 200, target);
        assert.equal((reload.headers as Json)['set-cookie'], undefined, target);
      }
      const forged = `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`;
      assert.equal((await probe.get('/', { cookie: forged })).status, 403);
    });
  });

  after(async () => {
    if (node) await stopChild(node);
    await network?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('static files', () => {
    it('serves / with the security headers', async () => {
      const page = await probe.get('/', { cookie });
      assert.equal(page.status, 200);
      const headers = page.headers as Record<string, string>;
      assert.equal(
        headers['content-security-policy'],
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self'; " +
          `connect-src 'self' ws://127.0.0.1:${port}; script-src 'self'; style-src 'self'; ` +
          "object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
      );
      assert.equal(headers['x-content-type-options'], 'nosniff');
      assert.equal(headers['referrer-policy'], 'no-referrer');
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(headers['content-type'], 'text/html; charset=utf-8');
      // Built or not (then a placeholder), the page never carries a secret.
      assert.ok(!String(page.body).includes(token));
      assert.ok(!String(page.body).includes(cookie.split('=')[1]!));
    });

    it('serves the built scripts with their content type, when they are built', async () => {
      const built = existsSync(path.join(repoRoot(), 'dist', 'renderer', 'app.js'));
      const script = await probe.get('/app.js');
      assert.equal(script.status, built ? 200 : 404);
      if (built) {
        const headers = script.headers as Record<string, string>;
        assert.equal(headers['content-type'], 'text/javascript; charset=utf-8');
      }
    });

    it('answers unknown paths and directories with 404, and lists nothing', async () => {
      for (const target of ['/nothing-here.txt', '/assets/', '//', '/.hidden']) {
        const answer = await probe.get(target);
        assert.equal(answer.status, 404, target);
        assert.ok((answer.headers as Json)['content-security-policy'], target);
      }
    });

    it('refuses path traversal', async () => {
      for (const target of [
        '/../package.json',
        '/%2e%2e/package.json',
        '/%2E%2E/%2E%2E/package.json',
        '/..%2fpackage.json',
        '/a/../../package.json',
        '/..\\package.json',
        '/%00',
      ]) {
        const answer = await probe.get(target);
        assert.equal(answer.status, 400, target);
        assert.ok(!String(answer.body).includes('"name"'), target);
      }
    });

    it("the watch party's film: only with the session cookie, and only while a party runs", async () => {
      const film = `/party/${'ab'.repeat(16)}`;
      assert.equal((await probe.get(film)).status, 403, 'no cookie');
      const none = await probe.get(film, { cookie, range: 'bytes=0-' });
      assert.equal(none.status, 404, 'no party in this node');
      // Not a party id: a static path like any other.
      assert.equal((await probe.get('/party/../package.json', { cookie })).status, 400);
    });

    it('refuses other methods and foreign Host headers', async () => {
      assert.equal((await probe.get('/', { method: 'POST' })).status, 405);
      // What a DNS-rebinding page would send.
      assert.equal((await probe.get('/', { host: `evil.example:${port}` })).status, 403);
    });
  });

  describe('the WebSocket', () => {
    it('refuses an upgrade without the cookie, with a wrong one, or from another origin', async () => {
      const refusedBefore = stderr.lines.filter((l) => l.includes('ui: WebSocket refused')).length;
      const wrong = `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`;
      assert.equal(await probe.open('r1', '/ws', origin), 403);
      assert.equal(await probe.open('r2', '/ws', origin, wrong), 403);
      // The URL token is no key to the socket, used or not.
      assert.equal(await probe.open('r3', `/ws?s=${token}`, origin), 403);
      assert.equal(await probe.open('r4', '/ws', 'http://evil.example', cookie), 403);
      assert.equal(await probe.open('r5', '/ws', `http://localhost:${port}`, cookie), 403);
      assert.equal(await probe.open('r6', '/ws', undefined, cookie), 403);
      assert.equal(await probe.open('r7', '/other', origin, cookie), 404);
      await stderr.waitFor(
        () =>
          stderr.lines.filter((l) => l.includes('ui: WebSocket refused')).length >=
          refusedBefore + 7,
        WAIT_MS,
        'seven refusals logged',
      );
      assert.ok(nodeAlive());
      assert.equal((await probe.get('/', { cookie })).status, 200);
    });

    it('greets a client that has the session cookie with hello, then events', async () => {
      const from = probe.mark();
      assert.equal(await probe.open('a', '/ws', origin, cookie), 'open');
      const hello = await probe.waitFor(
        (r) => r.conn === 'a' && r.event === 'message',
        'first message',
        from,
      );
      const first = hello.data as { type: string; self: Json };
      assert.equal(first.type, 'hello');
      self = first.self;
      assert.equal(self.name, 'Ada');
      assert.match(String(self.id), /^[0-9a-f]{32}$/);
      assert.equal(typeof self.port, 'number');
      assert.equal(typeof self.fingerprint, 'string');
      const settings = await probe.event(
        'a',
        (e) => e.event === 'media-settings',
        'settings',
        from,
      );
      assert.equal(settings.source, 'pattern');
    });

    it('answers a peers command with a peers event', async () => {
      const from = probe.mark();
      probe.send('a', { text: JSON.stringify({ type: 'command', command: { cmd: 'peers' } }) });
      const peers = await probe.event('a', (e) => e.event === 'peers', 'peers', from);
      assert.deepEqual(peers.peers, []);
    });

    it('answers each malformed message with ERR_BAD_COMMAND, to that client only', async () => {
      assert.equal(await probe.open('b', '/ws', origin, cookie), 'open');
      const from = probe.mark();
      const bad: Json[] = [
        { text: 'this is not json' },
        { text: JSON.stringify({ type: 'command', command: { cmd: 'self-destruct' } }) },
        { text: JSON.stringify({ type: 'command', command: { cmd: 'invite', peer: 'nobody' } }) },
        { text: JSON.stringify({ type: 'command' }) },
        { text: JSON.stringify({ cmd: 'peers' }) },
        { text: JSON.stringify({ type: 'command', command: { cmd: 'peers' }, extra: 1 }) },
        { base64: Buffer.from('{"type":"command","command":{"cmd":"peers"}}').toString('base64') },
        { fill: { char: ' ', bytes: 100 * 1024 } },
      ];
      for (const payload of bad) probe.send('a', payload);
      await probe.waitFor(
        () => probe.eventsOn('a', from).filter(isBadCommand).length >= bad.length,
        'an ERR_BAD_COMMAND for each',
        from,
      );
      const errors = probe.eventsOn('a', from).filter(isBadCommand);
      assert.equal(errors.length, bad.length);
      const texts = errors.map((e) => String(e.message));
      assert.ok(texts.some((t) => t.includes('not valid JSON')));
      assert.ok(texts.some((t) => t.includes('binary')));
      assert.ok(texts.some((t) => t.includes('longer than')));

      const after = probe.mark();
      probe.send('a', { text: JSON.stringify({ type: 'command', command: { cmd: 'peers' } }) });
      await probe.event('a', (e) => e.event === 'peers', 'peers after the bad ones', after);
      // The session's own answers go to everyone; the refusals only to whoever sent them.
      await probe.event('b', (e) => e.event === 'peers', 'peers on b', after);
      assert.equal(probe.eventsOn('b', from).filter(isBadCommand).length, 0);
      assert.equal(probe.messagesOn('a', from).filter((m) => m.type === 'hello').length, 0);
    });

    it("greets with our voice's settings: the app's voice is the page's microphone", async () => {
      const audio = await probe.event('a', (e) => e.event === 'audio-settings', 'voice', 0);
      assert.deepEqual(
        { source: audio.source, muted: audio.muted },
        { source: 'ui', muted: false },
      );
    });

    it('takes microphone frames; counts and logs bad ones without answering them', async () => {
      const from = probe.mark();
      const header = { voice: true, level: 20, seq: 0, position: 0, samples: 960, captureTs: 1 };
      const good = encodeUiMic(encodeVoicePacket(header, Uint8Array.of(0x78, 1, 2)));
      const badVersion = good.slice();
      badVersion[1] = 9;
      for (const bytes of [good, Uint8Array.of(FRAME_KIND_MIC, 1, 0), badVersion, good]) {
        probe.send('b', { base64: Buffer.from(bytes).toString('base64') });
      }
      const logged = (l: string): boolean => l.includes('ui: bad microphone frame');
      await stderr.waitFor(() => stderr.lines.filter(logged).length >= 2, WAIT_MS, 'two logs');
      const lines = stderr.lines.filter(logged);
      assert.match(lines[0] ?? '', /"level":"warn".*truncated/);
      assert.match(lines[1] ?? '', /"level":"debug".*bad-version.*"bad":2/);
      // The answer to the next command is the first thing the page hears: no refusals.
      probe.send('b', { text: JSON.stringify({ type: 'command', command: { cmd: 'peers' } }) });
      await probe.event('b', (e) => e.event === 'peers', 'peers after the frames', from);
      assert.equal(probe.eventsOn('b', from).filter(isBadCommand).length, 0);
      assert.ok(nodeAlive());
    });

    it('refuses quit from a page and keeps running', async () => {
      const from = probe.mark();
      probe.send('a', { text: JSON.stringify({ type: 'command', command: { cmd: 'quit' } }) });
      const refused = await probe.event('a', isBadCommand, 'quit refused', from);
      assert.match(String(refused.message), /quit/);
      probe.send('a', { text: JSON.stringify({ type: 'command', command: { cmd: 'peers' } }) });
      await probe.event('a', (e) => e.event === 'peers', 'peers after quit', from);
      assert.ok(nodeAlive());
    });

    it('sends our own preview frames in the ui-protocol layout', async () => {
      const from = probe.mark();
      const preview = (enabled: boolean): void =>
        probe.send('a', {
          text: JSON.stringify({ type: 'command', command: { cmd: 'preview', enabled } }),
        });
      preview(true);
      const frame = await probe.waitFor(
        (r) => r.conn === 'a' && r.event === 'frame',
        'a preview frame',
        from,
      );
      assert.equal(frame.ok, true);
      assert.equal(frame.kind, 'local');
      assert.equal(frame.peer, self.id);
      assert.equal(frame.width, 640);
      assert.equal(frame.height, 480);
      assert.equal(frame.codec, 'jpeg');
      assert.match(String(frame.start), /^ffd8/);
      assert.ok((frame.bytes as number) > 1000);
      // Every client gets the video, not just the one that asked.
      await probe.waitFor((r) => r.conn === 'b' && r.event === 'frame', 'a frame on b', from);
      preview(false);
      await probe.event(
        'a',
        (e) => e.event === 'media-settings',
        'settings after preview off',
        probe.mark(),
      );
    });

    it('accepts at most four clients at once', async () => {
      assert.equal(await probe.open('c', '/ws', origin, cookie), 'open');
      assert.equal(await probe.open('d', '/ws', origin, cookie), 'open');
      assert.equal(await probe.open('e', '/ws', origin, cookie), 503);
      const before = disconnects();
      probe.op({ op: 'close', conn: 'd' });
      // The slot is free once the server has seen the close, which it logs.
      await stderr.waitFor(() => disconnects() > before, WAIT_MS, "the server seeing d's close");
      assert.equal(await probe.open('f', '/ws', origin, cookie), 'open');
    });

    it('closes a client that sends more than the hard limit, and serves the others', async () => {
      const from = probe.mark();
      const before = disconnects();
      probe.send('c', { fill: { char: 'x', bytes: 2 * 1024 * 1024 } });
      const closed = await probe.waitFor(
        (r) => r.conn === 'c' && r.event === 'close',
        'c closed',
        from,
      );
      assert.equal(closed.code, 1009);
      await stderr.waitFor(() => disconnects() > before, WAIT_MS, 'the server dropping c');
      probe.send('a', { text: JSON.stringify({ type: 'command', command: { cmd: 'filters' } }) });
      await probe.event('a', (e) => e.event === 'filters', 'filters', from);
    });

    it('drops video, never events, for a client that stops reading', async () => {
      const command = (cmd: Json): void =>
        probe.send('a', { text: JSON.stringify({ type: 'command', command: cmd }) });
      assert.equal(await probe.open('slow', '/ws', origin, cookie), 'open');
      // After the greeting, both clients get the same broadcast from here on.
      await probe.event('slow', (e) => e.event === 'media-settings', 'greeting on slow', 0);
      const from = probe.mark();
      probe.op({ op: 'pause', conn: 'slow' });
      command({ cmd: 'set-video', resolution: '1280x720' });
      command({ cmd: 'preview', enabled: true });
      await stderr.waitFor(
        (line) => line.includes('ui: dropping video for a slow client'),
        20_000,
        'the bridge dropping frames',
      );
      command({ cmd: 'peers' });
      await probe.event('a', (e) => e.event === 'peers', 'peers on a', from);
      const shownOnA = probe.records
        .slice(from)
        .filter((r) => r.conn === 'a' && r.event === 'frame');
      probe.op({ op: 'resume', conn: 'slow' });
      await probe.event('slow', (e) => e.event === 'peers', 'peers on slow', from);
      // Once it reads again it gets video again, with the frames it could not take missing.
      const slowFrames = (): number[] =>
        probe.records
          .slice(from)
          .filter((r) => r.conn === 'slow' && r.event === 'frame')
          .map((r) => r.frame as number);
      await probe.waitFor(
        (r) =>
          r.conn === 'slow' &&
          r.event === 'frame' &&
          slowFrames().some((n, i, all) => i > 0 && n - all[i - 1]! > 1),
        'a frame on slow after a gap',
        from,
      );
      command({ cmd: 'preview', enabled: false });
      command({ cmd: 'set-video', resolution: '640x480' });

      // Every event reached the slow client, in order.
      const names = (conn: string): string[] =>
        probe.eventsOn(conn, from).map((e) => String(e.event));
      const onA = names('a');
      const throughPeers = onA.indexOf('peers') + 1;
      assert.deepEqual(names('slow').slice(0, throughPeers), onA.slice(0, throughPeers));
      const numbers = slowFrames();
      assert.ok(
        numbers.every((n, i) => i === 0 || n > numbers[i - 1]!),
        'frames in order',
      );
      assert.ok(shownOnA.length > 0, 'the client that reads kept getting video meanwhile');
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites.
  describe('at the end', () => {
    it('wrote one line on stdout and never logged the token or the cookie', () => {
      assert.equal(stdout.lines.length, 1);
      assert.ok(stderr.lines.length > 0);
      const session = cookie.split('=')[1]!;
      for (const line of stderr.lines) {
        assert.ok(!line.includes(token) && !line.includes(session), line);
      }
    });

    it('closes its clients with 1001 and exits 0 on SIGTERM', async () => {
      const from = probe.mark();
      const exited = exitOf(node);
      node.kill('SIGTERM');
      const status = await withTimeout(exited, WAIT_MS, 'node exit');
      assert.deepEqual(status, { code: 0, signal: null });
      const closed = await probe.waitFor(
        (r) => r.conn === 'a' && r.event === 'close',
        'a closed',
        from,
      );
      assert.equal(closed.code, 1001);
    });
  });
});

describe('meshcall app without --web', function () {
  this.timeout(60_000);
  let network: TestNetwork;
  let dataHome: string;

  before(async () => {
    network = await TestNetwork.create(1, { label: 'app' });
    dataHome = await mkdtemp(path.join(tmpdir(), 'meshcall-app-'));
  });

  after(async () => {
    await network?.close();
    if (dataHome) await rm(dataHome, { recursive: true, force: true });
  });

  /** Starts `meshcall ARGS` in the namespace; resolves with its URL line and its logs. */
  const startApp = async (
    args: string[],
    env: NodeJS.ProcessEnv,
  ): Promise<{ line: string; stderr: LineCollector; child: ChildProcess }> => {
    const base: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: dataHome };
    delete base.DISPLAY;
    delete base.WAYLAND_DISPLAY;
    const child = network.hosts[0]!.spawn(process.execPath, [meshcallBin(), ...args], {
      cwd: repoRoot(),
      env: { ...base, ...env },
    });
    const out = new LineCollector(child.stdout!, 'app stdout');
    const stderr = new LineCollector(child.stderr!, 'app stderr');
    const line = await out.waitFor((l) => l.startsWith('meshcall ui '), 20_000, 'the UI URL');
    return { line, stderr, child };
  };

  it('starts the browser interface when run with no arguments and no display', async () => {
    const { line, stderr, child } = await startApp([], {});
    try {
      assert.match(line, /^meshcall ui http:\/\/127\.0\.0\.1:\d+\/\?s=[A-Za-z0-9_-]{43}$/);
      await stderr.waitFor((l) => l.includes('no display'), WAIT_MS, 'the reason');
    } finally {
      await stopChild(child);
    }
  });

  it("falls back to the browser when Electron's binary is missing", async () => {
    const { stderr, child } = await startApp(['app', '--no-open', '--source', 'pattern'], {
      DISPLAY: ':99',
    });
    try {
      const reason = await stderr.waitFor(
        (l) => l.includes('using the browser interface'),
        WAIT_MS,
        'the reason',
      );
      assert.match(reason, /Electron/);
    } finally {
      await stopChild(child);
    }
  });
});
