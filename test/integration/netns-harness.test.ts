/**
 * Tests of the integration-test harness itself, with real namespaces and real processes
 * (no meshcall needed): test/helpers/netns/, net-probes.ts and json-lines-process.ts.
 *
 * Needs root and iproute2; on kernels without sch_netem also iptables, gcc and
 * libnetfilter-queue-dev (scripts/bootstrap.sh installs them) for the delay/loss emulator.
 * These tests are never skipped: without them they fail and say why.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  HeadlessNode,
  meshcallBin,
  repoRoot,
  stopAllNodes,
  type NodeEvent,
} from '../helpers/json-lines-process.js';
import { LineCollector, exitOf, stopChild } from '../helpers/lines.js';
import {
  sendMulticast,
  startMulticastListener,
  startUdpEcho,
  udpEchoCount,
  udpPing,
  type UdpEchoServer,
} from '../helpers/net-probes.js';
import { TestNetwork, type TestHost } from '../helpers/netns/hosts.js';
import {
  NetemUnsupportedError,
  checkNfqueue,
  netemSupported,
} from '../helpers/netns/impairment.js';
import { checkNetns } from '../helpers/netns/namespaces.js';
import { CommandError } from '../helpers/netns/processes.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

const execFileAsync = promisify(execFile);

const MDNS_GROUP = '224.0.0.251';
const MULTICAST_PORT = 15_353;
const ECHO_PORT = 17_777;

async function listNamespaces(): Promise<string[]> {
  const { stdout } = await execFileAsync('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

// Sequential UDP pings to an echo server, each sent when the previous echo arrived (or was given
// up on); prints {"rtts":[ms...],"lost":n}.
const UDP_RTT_SCRIPT = `
const dgram = require('node:dgram');
const [address, port, count, timeoutMs] = process.argv.slice(1).map((v, i) => i === 0 ? v : Number(v));
const socket = dgram.createSocket('udp4');
const rtts = [];
let lost = 0, index = 0, started = 0n, timer;
const token = () => 'rtt-' + process.pid + '-' + index;
const next = () => {
  if (index === count) { console.log(JSON.stringify({ rtts, lost })); process.exit(0); }
  timer = setTimeout(() => { lost += 1; index += 1; next(); }, timeoutMs);
  started = process.hrtime.bigint();
  socket.send(token(), port, address);
};
socket.on('message', (msg) => {
  if (msg.toString() !== token()) return;
  rtts.push(Number(process.hrtime.bigint() - started) / 1e6);
  clearTimeout(timer);
  index += 1;
  next();
});
socket.bind(next);
`;

// Sends count datagrams back to back and prints the order their echoes came back in, once all
// are back or after deadlineMs.
const UDP_BURST_ORDER_SCRIPT = `
const dgram = require('node:dgram');
const [address, port, count, deadlineMs] = process.argv.slice(1).map((v, i) => i === 0 ? v : Number(v));
const socket = dgram.createSocket('udp4');
const order = [];
const finish = () => { console.log(JSON.stringify(order)); process.exit(0); };
socket.on('message', (msg) => { order.push(Number(msg.toString())); if (order.length === count) finish(); });
socket.bind(() => {
  for (let i = 0; i < count; i++) socket.send(String(i), port, address);
  setTimeout(finish, deadlineMs);
});
`;

// TCP sink: counts the bytes of one connection and their sum mod 65521, answers with both as
// JSON once the sender has finished.
const TCP_SINK_SCRIPT = `
const net = require('node:net');
const server = net.createServer((socket) => {
  let bytes = 0, sum = 0;
  socket.on('data', (chunk) => { bytes += chunk.length; for (const b of chunk) sum = (sum + b) % 65521; });
  socket.on('end', () => socket.end(JSON.stringify({ bytes, sum })));
});
server.listen(Number(process.argv[1]), () => console.log('listening'));
`;

const TCP_SEND_SCRIPT = `
const net = require('node:net');
const [address, port, size] = process.argv.slice(1).map((v, i) => i === 0 ? v : Number(v));
const data = Buffer.alloc(size);
let sum = 0;
for (let i = 0; i < size; i++) { data[i] = (i * 7 + (i >> 9)) & 255; sum = (sum + data[i]) % 65521; }
const started = Date.now();
let reply = '';
const socket = net.connect(port, address, () => socket.end(data));
socket.on('data', (chunk) => { reply += chunk; });
socket.on('end', () => console.log(JSON.stringify({ ...JSON.parse(reply), expectedSum: sum, ms: Date.now() - started })));
socket.on('error', (error) => { console.error(error.message); process.exit(1); });
`;

/** Round-trip times (ms) of `count` sequential UDP pings from `from` to an echo on `to`. */
async function udpRtts(
  from: TestHost,
  to: TestHost,
  count = 10,
): Promise<{ rtts: number[]; lost: number }> {
  const { stdout } = await from.run(
    process.execPath,
    ['-e', UDP_RTT_SCRIPT, to.address, String(ECHO_PORT), String(count), '2000'],
    { timeoutMs: count * 2_000 + 10_000 },
  );
  return JSON.parse(stdout.trim()) as { rtts: number[]; lost: number };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  assert.ok(sorted.length > 0, 'median of no values');
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median UDP round trip from `from` to `to`, asserting that no ping was lost. */
async function medianRtt(from: TestHost, to: TestHost): Promise<number> {
  const { rtts, lost } = await udpRtts(from, to);
  assert.equal(lost, 0, `no ping lost (rtts ${rtts.map((r) => r.toFixed(1)).join(', ')})`);
  return median(rtts);
}

/** Pids of nfq-delay daemons running in namespace `name`. */
async function emulatorPids(name: string): Promise<number[]> {
  const { stdout } = await execFileAsync('ip', ['netns', 'pids', name]);
  return stdout
    .split(/\s+/)
    .filter((token) => /^\d+$/.test(token))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nfq-delay';
      } catch {
        return false;
      }
    });
}

/** NFQUEUE rules in the host's OUTPUT chains (IPv4 and IPv6). */
async function nfqueueRules(h: TestHost): Promise<string[]> {
  const rules: string[] = [];
  for (const command of ['iptables-legacy', 'ip6tables-legacy']) {
    const { stdout } = await h.run(command, ['-S', 'OUTPUT']);
    rules.push(...stdout.split('\n').filter((line) => line.includes('NFQUEUE')));
  }
  return rules;
}

/** True once `pid` no longer runs (a zombie waiting to be reaped counts as gone). */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/** A process that is not our child has no exit event we can wait on: poll /proc. */
async function waitProcessGone(pid: number, what: string): Promise<void> {
  await waitUntil(() => processGone(pid), {
    timeoutMs: 5_000,
    message: `${what} (pid ${pid}) gone`,
  });
}

describe('netns test harness', function () {
  before(async function () {
    const check = await checkNetns();
    if (!check.ok) {
      throw new Error(
        'The netns harness tests need root and iproute2 (ip netns, bridge and veth support); ' +
          `they are not skipped. Cannot use network namespaces here: ${check.reason}`,
      );
    }
  });

  describe('a three-host network', function () {
    let net: TestNetwork | undefined;
    let echoServers: UdpEchoServer[] = [];

    const host = (index: number): TestHost => {
      const found = net?.hosts[index];
      assert.ok(found, `host ${index} exists`);
      return found;
    };

    before(async function () {
      net = await TestNetwork.create(3, { label: 'harness' });
      echoServers = await Promise.all(net.hosts.map((h) => startUdpEcho(h, ECHO_PORT)));
    });

    afterEach(async function () {
      // Leave every host unimpaired for the next test, whatever this one did.
      for (const h of net?.hosts ?? []) {
        await h.setNetem(null);
        await h.setLinkUp(true);
      }
    });

    after(async function () {
      await Promise.all(echoServers.map((server) => server.stop()));
      await net?.close();
    });

    it('lays out namespaces, addresses, routes and the bridge as specified', async function () {
      const network = net!;
      const base = `mct-${process.pid}-`;
      assert.match(network.switchName, new RegExp(`^${base}\\d+-sw$`));
      network.hosts.forEach((h, i) => {
        assert.match(h.name, new RegExp(`^${base}\\d+-h${i}$`));
        assert.equal(h.address, `10.231.${network.netIndex}.${10 + i}`);
      });
      const present = await listNamespaces();
      for (const name of network.namespaces) assert.ok(present.includes(name), `${name} listed`);

      const h0 = host(0);
      const addr = await h0.run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      assert.ok(addr.stdout.includes(`inet ${h0.address}/24`), addr.stdout);
      const route = await h0.run('ip', ['route', 'show', 'default']);
      assert.match(route.stdout, /^default dev eth0/m);
      const lo = await h0.run('ip', ['-o', 'link', 'show', 'lo']);
      assert.match(lo.stdout, /LOOPBACK,UP/);

      const bridge = await execFileAsync('ip', [
        '-n',
        network.switchName,
        '-d',
        'link',
        'show',
        'br0',
      ]);
      assert.match(bridge.stdout, /mcast_snooping 0/);
      const ports = await execFileAsync('ip', [
        '-n',
        network.switchName,
        '-o',
        'link',
        'show',
        'master',
        'br0',
      ]);
      for (const port of ['p0', 'p1', 'p2']) assert.match(ports.stdout, new RegExp(`: ${port}@`));

      // Nothing of ours in the root namespace.
      const rootAddresses = await execFileAsync('ip', ['-o', 'addr']);
      assert.doesNotMatch(rootAddresses.stdout, /10\.231\./);
      const rootLinks = await execFileAsync('ip', ['-o', 'link']);
      assert.doesNotMatch(rootLinks.stdout, /: (br0|p\d+)[@:]/);
    });

    it('host 0 reaches hosts 1 and 2 (UDP echo), and they reach it', async function () {
      assert.equal(await udpPing(host(0), host(1).address, ECHO_PORT), true);
      assert.equal(await udpPing(host(0), host(2).address, ECHO_PORT), true);
      assert.equal(await udpPing(host(2), host(0).address, ECHO_PORT), true);
    });

    it('multicast to the mDNS group from host 0 reaches hosts 1 and 2', async function () {
      const listeners = await Promise.all(
        [host(1), host(2)].map((h) => startMulticastListener(h, MDNS_GROUP, MULTICAST_PORT)),
      );
      try {
        const token = `hello-${process.pid}-${Date.now()}`;
        await sendMulticast(host(0), MDNS_GROUP, MULTICAST_PORT, token);
        for (const listener of listeners) {
          const message = await listener.waitForMessage((m) => m.data === token, 5_000);
          assert.equal(message.from, host(0).address);
        }
      } finally {
        await Promise.all(listeners.map((listener) => listener.stop()));
      }
    });

    it('100% loss makes host 0 unreachable; removing it restores reachability', async function () {
      await host(0).setNetem({ lossPercent: 100 });
      assert.equal(await udpPing(host(1), host(0).address, ECHO_PORT, 1_000), false);
      assert.equal(await udpPing(host(0), host(2).address, ECHO_PORT, 1_000), false);
      // Other hosts are unaffected.
      assert.equal(await udpPing(host(1), host(2).address, ECHO_PORT), true);
      await host(0).setNetem(null);
      assert.equal(await udpPing(host(1), host(0).address, ECHO_PORT, 5_000), true);
      assert.equal(await udpPing(host(0), host(2).address, ECHO_PORT, 5_000), true);
    });

    it('partial loss drops some packets but not all', async function () {
      // Resolve ARP first so the measurement is about loss alone.
      assert.equal(await udpPing(host(0), host(1).address, ECHO_PORT), true);
      await host(0).setNetem({ lossPercent: 50 });
      const { sent, received } = await udpEchoCount(host(0), host(1).address, ECHO_PORT, 200);
      assert.equal(sent, 200);
      assert.ok(received >= 40 && received <= 160, `received ${received} of ${sent} at 50% loss`);
      await host(0).setNetem(null);
      const clean = await udpEchoCount(host(0), host(1).address, ECHO_PORT, 50);
      assert.equal(clean.received, 50);
    });

    it('delay and jitter apply (netem or NFQUEUE), and fail clearly when neither exists', async function () {
      if (!(await netemSupported()) && !(await checkNfqueue()).ok) {
        await assert.rejects(host(0).setNetem({ delayMs: 50 }), (error: unknown) => {
          assert.ok(error instanceof NetemUnsupportedError);
          assert.match(error.message, /netem/);
          assert.match(error.message, /NFQUEUE/);
          return true;
        });
        return;
      }
      await host(0).setNetem({ delayMs: 300, jitterMs: 10 });
      const started = Date.now();
      assert.equal(await udpPing(host(0), host(1).address, ECHO_PORT, 5_000), true);
      assert.ok(Date.now() - started >= 280, `round trip took ${Date.now() - started} ms`);

      await host(0).setNetem({ delayMs: 50, jitterMs: 20 });
      const { rtts, lost } = await udpRtts(host(0), host(1), 12);
      assert.equal(lost, 0);
      const shown = rtts.map((r) => r.toFixed(1)).join(', ');
      assert.ok(Math.min(...rtts) >= 29, `delay 50 ms +- 20 ms: rtts ${shown}`);
      assert.ok(Math.max(...rtts) < 150, `delay 50 ms +- 20 ms: rtts ${shown}`);
      assert.ok(Math.max(...rtts) - Math.min(...rtts) >= 5, `jitter varies the delay: ${shown}`);

      await assert.rejects(host(0).setNetem({ lossPercent: 101 }), RangeError);
      await assert.rejects(host(0).setNetem({ delayMs: -1 }), RangeError);
    });

    it('50 ms delay on host 0 alone adds 50 ms to a round trip; on both ends 100 ms', async function () {
      const baseline = await medianRtt(host(0), host(1));
      assert.ok(baseline < 10, `baseline median rtt ${baseline.toFixed(1)} ms`);

      await host(0).setNetem({ delayMs: 50 });
      const oneWay = await medianRtt(host(0), host(1));
      assert.ok(oneWay >= 50 && oneWay < 150, `host 0 delayed: median rtt ${oneWay.toFixed(1)} ms`);
      // Host 2 neither sends through host 0's egress nor is delayed itself.
      const unaffected = await medianRtt(host(1), host(2));
      assert.ok(unaffected < 10, `hosts 1-2: median rtt ${unaffected.toFixed(1)} ms`);

      await host(1).setNetem({ delayMs: 50 });
      const bothWays = await medianRtt(host(0), host(1));
      assert.ok(
        bothWays >= 100 && bothWays < 200,
        `hosts 0 and 1 delayed: median rtt ${bothWays.toFixed(1)} ms`,
      );

      await host(0).setNetem(null);
      await host(1).setNetem(null);
      const restored = await medianRtt(host(0), host(1));
      assert.ok(restored < 10, `after setNetem(null): median rtt ${restored.toFixed(1)} ms`);
      if (!(await netemSupported())) {
        for (const h of [host(0), host(1)]) {
          assert.deepEqual(await emulatorPids(h.name), [], `no nfq-delay left in ${h.name}`);
          assert.deepEqual(await nfqueueRules(h), [], `no NFQUEUE rule left in ${h.name}`);
        }
      }
    });

    it('delay without jitter keeps packets in order', async function () {
      await host(0).setNetem({ delayMs: 50 });
      const { stdout } = await host(0).run(process.execPath, [
        '-e',
        UDP_BURST_ORDER_SCRIPT,
        host(1).address,
        String(ECHO_PORT),
        '200',
        '5000',
      ]);
      const order = JSON.parse(stdout.trim()) as number[];
      assert.deepEqual(
        order,
        Array.from({ length: 200 }, (_, i) => i),
      );
    });

    it('replacing settings replaces them: 100% loss blocks, loss 0 restores, new delay applies', async function () {
      await host(0).setNetem({ delayMs: 50 });
      await host(0).setNetem({ lossPercent: 100 });
      assert.equal(await udpPing(host(0), host(1).address, ECHO_PORT, 1_000), false);
      assert.equal(await udpPing(host(1), host(0).address, ECHO_PORT, 1_000), false);

      await host(0).setNetem({ lossPercent: 0 });
      assert.equal(await udpPing(host(0), host(1).address, ECHO_PORT, 5_000), true);
      const clean = await medianRtt(host(0), host(1));
      assert.ok(clean < 10, `after loss 0: median rtt ${clean.toFixed(1)} ms`);

      await host(0).setNetem({ delayMs: 50 });
      await host(0).setNetem({ delayMs: 120 });
      const replaced = await medianRtt(host(0), host(1));
      assert.ok(
        replaced >= 120 && replaced < 220,
        `delay 50 replaced by 120 ms: median rtt ${replaced.toFixed(1)} ms`,
      );
      if (!(await netemSupported())) {
        assert.equal((await emulatorPids(host(0).name)).length, 1, 'one nfq-delay daemon');
        assert.equal((await nfqueueRules(host(0))).length, 2, 'one NFQUEUE rule per family');
      }
    });

    it('a crashed delay emulator fails open, and the next setNetem reports the crash', async function () {
      if (await netemSupported()) this.skip(); // only the NFQUEUE path has a daemon
      await host(0).setNetem({ lossPercent: 100 });
      assert.equal(await udpPing(host(0), host(1).address, ECHO_PORT, 1_000), false);
      const [pid] = await emulatorPids(host(0).name);
      assert.ok(pid !== undefined, 'nfq-delay runs in host 0');
      process.kill(pid, 'SIGKILL');
      await waitProcessGone(pid, 'killed nfq-delay');
      assert.equal(await udpPing(host(0), host(1).address, ECHO_PORT, 5_000), true);
      await assert.rejects(host(0).setNetem(null), /exited by itself \(SIGKILL\)/);
      assert.deepEqual(await nfqueueRules(host(0)), []);
    });

    it('a TCP transfer completes with 10% loss and 50 ms delay on every host', async function () {
      for (const h of net!.hosts) await h.setNetem({ lossPercent: 10, delayMs: 50 });
      const port = 17_778;
      const sink = host(1).spawn(process.execPath, ['-e', TCP_SINK_SCRIPT, String(port)]);
      try {
        await new LineCollector(sink.stdout!, 'tcp sink').waitFor(
          (line) => line === 'listening',
          10_000,
          'listening',
        );
        const size = 300 * 1024;
        const { stdout } = await host(0).run(
          process.execPath,
          ['-e', TCP_SEND_SCRIPT, host(1).address, String(port), String(size)],
          { timeoutMs: 90_000 },
        );
        const result = JSON.parse(stdout.trim()) as {
          bytes: number;
          sum: number;
          expectedSum: number;
          ms: number;
        };
        assert.equal(result.bytes, size);
        assert.equal(result.sum, result.expectedSum);
        // The handshake alone takes a 100 ms round trip; far faster would mean no delay applied.
        assert.ok(result.ms >= 100, `transfer took ${result.ms} ms`);
      } finally {
        await stopChild(sink);
      }
    });

    it('setLinkUp(false) cuts host 0 off; setLinkUp(true) restores address, route, reachability and multicast', async function () {
      const h0 = host(0);
      await h0.setLinkUp(false);
      assert.match((await h0.run('ip', ['-o', 'link', 'show', 'eth0'])).stdout, /state DOWN/);
      assert.equal(await udpPing(host(1), h0.address, ECHO_PORT, 1_000), false);

      await h0.setLinkUp(true);
      assert.ok(
        (await h0.run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(
          h0.address,
        ),
      );
      assert.match((await h0.run('ip', ['route', 'show', 'default'])).stdout, /^default dev eth0/m);
      assert.equal(await udpPing(host(1), h0.address, ECHO_PORT, 5_000), true);

      const listener = await startMulticastListener(host(1), MDNS_GROUP, MULTICAST_PORT);
      try {
        const token = `after-link-up-${Date.now()}`;
        await sendMulticast(h0, MDNS_GROUP, MULTICAST_PORT, token);
        await listener.waitForMessage((m) => m.data === token && m.from === h0.address, 5_000);
      } finally {
        await listener.stop();
      }
    });

    it('run() rejects with exit code and stderr; spawn() runs inside the namespace with the given env', async function () {
      const h1 = host(1);
      await assert.rejects(
        h1.run(process.execPath, ['-e', 'console.error("boom-stderr-text"); process.exit(3)']),
        (error: unknown) => {
          assert.ok(error instanceof CommandError);
          assert.equal(error.exitCode, 3);
          assert.match(error.message, /boom-stderr-text/);
          assert.ok(error.message.includes(h1.name));
          return true;
        },
      );

      const child = h1.spawn(
        process.execPath,
        [
          '-e',
          `const nets = Object.values(require('node:os').networkInterfaces()).flat();
           console.log(JSON.stringify({ mark: process.env.MCT_MARK, addresses: nets.map((n) => n.address) }));`,
        ],
        { env: { ...process.env, MCT_MARK: 'marked' } },
      );
      const lines = new LineCollector(child.stdout!, 'spawned probe');
      const line = await lines.waitFor((l) => l.startsWith('{'), 10_000, 'its report');
      const report = JSON.parse(line) as { mark: string; addresses: string[] };
      assert.equal(report.mark, 'marked');
      assert.ok(report.addresses.includes(h1.address));
      assert.ok(!report.addresses.includes(host(0).address));
      assert.deepEqual(await exitOf(child), { code: 0, signal: null });
    });
  });

  describe('lifecycle', function () {
    const helperUrl = new URL('../helpers/netns/hosts.js', import.meta.url).href;

    it('close() stops the delay emulators of impaired hosts and deletes every namespace', async function () {
      const net = await TestNetwork.create(2, { label: 'impaired-close' });
      const daemons: number[] = [];
      try {
        for (const h of net.hosts) await h.setNetem({ lossPercent: 10, delayMs: 50 });
        for (const h of net.hosts) daemons.push(...(await emulatorPids(h.name)));
        if (!(await netemSupported())) assert.equal(daemons.length, 2, 'one daemon per host');
      } finally {
        await net.close();
      }
      for (const pid of daemons) assert.ok(processGone(pid), `nfq-delay ${pid} gone`);
      const present = await listNamespaces();
      for (const name of net.namespaces) assert.ok(!present.includes(name), `${name} deleted`);
    });

    it('several networks coexist with distinct indexes and are isolated from each other', async function () {
      const [a, b] = await Promise.all([
        TestNetwork.create(2, { label: 'a' }),
        TestNetwork.create(2, { label: 'b' }),
      ]);
      try {
        assert.notEqual(a.netIndex, b.netIndex);
        assert.notEqual(a.switchName, b.switchName);
        const [a0, a1] = a.hosts;
        const [b0] = b.hosts;
        assert.ok(a0 && a1 && b0);
        const echo = await startUdpEcho(a1, ECHO_PORT);
        try {
          assert.equal(await udpPing(a0, a1.address, ECHO_PORT), true);
          assert.equal(await udpPing(b0, a1.address, ECHO_PORT, 1_000), false);
        } finally {
          await echo.stop();
        }
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('close() kills spawned processes and what they started, deletes every namespace, and is idempotent', async function () {
      const net = await TestNetwork.create(2, { label: 'close' });
      const [h0, h1] = net.hosts;
      assert.ok(h0 && h1);
      // Ignores SIGTERM, so close() must escalate to SIGKILL.
      const stubborn = h0.spawn(process.execPath, [
        '-e',
        'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000);',
      ]);
      // Starts a detached grandchild that close() only finds through `ip netns pids`.
      const parent = h1.spawn(process.execPath, [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
         c.unref(); console.log(String(c.pid)); setInterval(() => {}, 1000);`,
      ]);
      await new LineCollector(stubborn.stdout!, 'stubborn').waitFor(
        (l) => l === 'up',
        10_000,
        'up',
      );
      const grandchildPid = Number(
        await new LineCollector(parent.stdout!, 'parent').waitFor(
          (l) => /^\d+$/.test(l),
          10_000,
          'pid',
        ),
      );

      const first = net.close();
      assert.equal(net.close(), first, 'close() returns the same promise while closing');
      await first;
      await net.close();

      assert.equal((await exitOf(stubborn)).signal, 'SIGKILL');
      assert.notEqual(parent.exitCode ?? parent.signalCode, null);
      await waitProcessGone(grandchildPid, 'detached grandchild');
      const present = await listNamespaces();
      for (const name of net.namespaces) assert.ok(!present.includes(name), `${name} deleted`);
      assert.throws(() => h0.spawn('true', []), /closed/);
      await assert.rejects(h0.run('true', []), /closed/);
    });

    it('removes namespaces left behind by a test process that was SIGKILLed, on the next create()', async function () {
      const report = await runChildOwner('hang', async (child) => {
        child.kill('SIGKILL');
        return exitOf(child);
      });
      assert.equal(report.exit.signal, 'SIGKILL');
      let present = await listNamespaces();
      for (const name of report.namespaces)
        assert.ok(present.includes(name), `${name} left behind`);
      assert.ok(!processGone(report.sleeperPid), 'the sleeper outlived its SIGKILLed owner');

      const net = await TestNetwork.create(1, { label: 'after-crash' });
      await net.close();
      present = await listNamespaces();
      for (const name of report.namespaces) assert.ok(!present.includes(name), `${name} removed`);
      await waitProcessGone(report.sleeperPid, 'sleeper of the crashed run');
    });

    for (const ending of ['exit', 'SIGINT', 'SIGTERM'] as const) {
      it(`removes its namespaces when the process ends by ${ending} without close()`, async function () {
        const report = await runChildOwner(ending === 'exit' ? 'exit' : 'hang', async (child) => {
          if (ending !== 'exit') child.kill(ending);
          return exitOf(child);
        });
        if (ending === 'exit') {
          assert.deepEqual(report.exit, { code: 0, signal: null });
        } else {
          // After cleaning up, the default action of the signal still ends the process.
          assert.equal(report.exit.signal, ending);
        }
        const present = await listNamespaces();
        for (const name of report.namespaces) assert.ok(!present.includes(name), `${name} removed`);
        await waitProcessGone(report.sleeperPid, 'sleeper');
      });
    }

    /**
     * Runs a separate Node process that creates a 2-host network with a sleeper process in host 0
     * and reports them; `mode` 'exit' then calls process.exit(0), 'hang' waits to be killed.
     */
    async function runChildOwner(
      mode: 'exit' | 'hang',
      end: (
        child: ReturnType<typeof spawn>,
      ) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    ): Promise<{
      namespaces: string[];
      sleeperPid: number;
      exit: { code: number | null; signal: NodeJS.Signals | null };
    }> {
      const script = `
        const { TestNetwork } = await import(process.argv[1]);
        const net = await TestNetwork.create(2, { label: 'child-' + process.argv[2] });
        const sleeper = net.hosts[0].spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)']);
        await new Promise((resolve) => sleeper.stdout.once('data', resolve));
        console.log(JSON.stringify({ namespaces: net.namespaces, sleeperPid: sleeper.pid }));
        if (process.argv[2] === 'exit') process.exit(0);
        setInterval(() => {}, 1000);
      `;
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', script, helperUrl, mode],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const stdout = new LineCollector(child.stdout, 'owner process');
      const stderr = new LineCollector(child.stderr, 'owner process (stderr)');
      try {
        const line = await stdout
          .waitFor((l) => l.startsWith('{'), 20_000, 'its report')
          .catch((error: unknown) => {
            throw new Error(`${String(error)}\nstderr:\n${stderr.lines.join('\n')}`);
          });
        const report = JSON.parse(line) as { namespaces: string[]; sleeperPid: number };
        const exit = await withTimeout(end(child), 10_000, 'owner process exit');
        return { ...report, exit };
      } finally {
        await stopChild(child);
      }
    }
  });

  describe('HeadlessNode (driving a stand-in for `meshcall headless`)', function () {
    let fixtureDir: string | undefined;
    let standIn = '';

    // Speaks the headless protocol: ready first, JSON commands in, JSON events out, logs on stderr.
    const STAND_IN = `
      import { createInterface } from 'node:readline';
      import { writeFileSync } from 'node:fs';
      import { join } from 'node:path';
      import { networkInterfaces } from 'node:os';
      const args = process.argv.slice(2);
      const option = (flag) => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : undefined; };
      if (args[0] !== 'headless') { console.error('usage: stand-in headless ...'); process.exit(2); }
      const name = option('--name');
      const dataDir = option('--data-dir');
      console.error('data-dir ' + dataDir);
      writeFileSync(join(dataDir, 'marker'), String(name));
      if (args.includes('--die-early')) { console.error('fatal: cannot bind'); process.exit(3); }
      const emit = (event) => process.stdout.write(JSON.stringify(event) + '\\n');
      let ignoreQuit = false;
      setInterval(() => {}, 60000);
      if (!args.includes('--no-ready')) {
        emit({ event: 'ready', id: 'id-' + name, name, port: Number(option('--port') ?? 40000),
               fingerprint: 'ff:ff', autoAccept: args.includes('--auto-accept'), args });
      }
      createInterface({ input: process.stdin }).on('line', (line) => {
        let cmd;
        try { cmd = JSON.parse(line); } catch { emit({ event: 'error', message: 'bad json' }); return; }
        switch (cmd.cmd) {
          case 'echo': emit({ event: 'echo', n: cmd.n }); break;
          case 'burst': for (let i = 0; i < cmd.count; i++) emit({ event: 'tick', i }); break;
          case 'garbage': process.stdout.write('not json\\n{"noevent":1}\\n[1,2]\\n'); break;
          case 'log': console.error(cmd.text); break;
          case 'interfaces':
            emit({ event: 'interfaces', addresses: Object.values(networkInterfaces()).flat().map((a) => a.address) });
            break;
          case 'crash': console.error('crashing now'); process.exit(7);
          case 'ignore-quit': ignoreQuit = true; process.on('SIGTERM', () => {}); emit({ event: 'ignoring' }); break;
          case 'quit': if (!ignoreQuit) { emit({ event: 'bye' }); process.exit(0); } break;
          default: emit({ event: 'error', message: 'unknown command' });
        }
      }).on('close', () => { if (!ignoreQuit) process.exit(0); });
    `;

    before(async function () {
      fixtureDir = await mkdtemp(join(tmpdir(), 'mct-stand-in-'));
      standIn = join(fixtureDir, 'stand-in.mjs');
      await writeFile(standIn, STAND_IN);
    });

    afterEach(async function () {
      await stopAllNodes();
    });

    after(async function () {
      if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
    });

    it('finds the repository root and the meshcall binary path', function () {
      const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
        name: string;
      };
      assert.equal(manifest.name, 'meshcall');
      assert.equal(meshcallBin(), join(repoRoot(), 'bin', 'meshcall.js'));
    });

    it('starts with the given options, reports ready, and stop() quits and removes its data dir', async function () {
      const node = await HeadlessNode.start({
        name: 'alice',
        binPath: standIn,
        port: 4567,
        autoAccept: true,
        extraArgs: ['--flag-x'],
      });
      assert.equal(node.id, 'id-alice');
      assert.equal(node.name, 'alice');
      assert.equal(node.port, 4567);
      assert.equal(node.ready.autoAccept, true);
      assert.ok((node.ready.args as string[]).includes('--flag-x'));
      assert.ok(node.pid > 0);
      assert.equal(node.events[0], node.ready);
      assert.equal(await readFile(join(node.dataDir, 'marker'), 'utf8'), 'alice');

      const stopping = node.stop();
      assert.equal(node.stop(), stopping, 'stop() is idempotent');
      assert.equal(await stopping, 0);
      assert.ok(
        node.events.some((e) => e.event === 'bye'),
        'quit was sent',
      );
      assert.equal(existsSync(node.dataDir), false);
      assert.deepEqual(node.badStdoutLines, []);
    });

    it('keeps a data dir it was given', async function () {
      const dataDir = await mkdtemp(join(tmpdir(), 'mct-given-'));
      try {
        const node = await HeadlessNode.start({ name: 'dora', binPath: standIn, dataDir });
        assert.equal(await node.stop(), 0);
        assert.equal(existsSync(join(dataDir, 'marker')), true);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    });

    it('waitFor sees past events, waitForNext only new ones; count and order hold', async function () {
      const node = await HeadlessNode.start({ name: 'bob', binPath: standIn });
      node.send({ cmd: 'echo', n: 1 });
      const first = await node.waitForNext('echo');
      assert.equal(first.n, 1);
      assert.equal(await node.waitFor('echo', (e) => e.n === 1, 1), first);

      const next = node.waitForNext('echo');
      node.send({ cmd: 'echo', n: 2 });
      assert.equal((await next).n, 2);
      assert.equal(node.count('echo'), 2);
      assert.equal(
        node.count('echo', (e) => e.n === 2),
        1,
      );

      node.send({ cmd: 'burst', count: 100 });
      await node.waitFor('tick', (e) => e.i === 99);
      const ticks = node.events.filter((e) => e.event === 'tick').map((e) => e.i);
      assert.deepEqual(
        ticks,
        Array.from({ length: 100 }, (_, i) => i),
      );
      node.sendRaw('{"cmd":"echo","n":3}\n');
      assert.equal((await node.waitFor('echo', (e) => e.n === 3)).n, 3);
    });

    it('records stdout lines that are not events in badStdoutLines', async function () {
      const node = await HeadlessNode.start({ name: 'carol', binPath: standIn });
      node.send({ cmd: 'garbage' });
      node.send({ cmd: 'echo', n: 1 });
      await node.waitFor('echo');
      assert.deepEqual(node.badStdoutLines, ['not json', '{"noevent":1}', '[1,2]']);
      assert.equal(node.count('echo'), 1);
    });

    it('a timed-out wait names the event and shows the last events and stderr lines', async function () {
      const node = await HeadlessNode.start({ name: 'erin', binPath: standIn });
      node.send({ cmd: 'log', text: 'stderr-marker-123' });
      node.send({ cmd: 'echo', n: 5 });
      await node.waitFor('echo');
      await waitUntil(() => node.stderrLines.includes('stderr-marker-123'), {
        timeoutMs: 5_000,
        message: 'stderr line recorded',
      });
      await assert.rejects(node.waitFor('never-sent', undefined, 200), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /erin/);
        assert.match(error.message, /timed out after 200 ms waiting for event "never-sent"/);
        assert.match(error.message, /"event":"echo","n":5/);
        assert.match(error.message, /stderr-marker-123/);
        return true;
      });
    });

    it('a pending wait fails as soon as the process exits, with its stderr', async function () {
      const node = await HeadlessNode.start({ name: 'frank', binPath: standIn });
      const pending = node.waitFor('never-sent', undefined, 30_000);
      const started = Date.now();
      node.send({ cmd: 'crash' });
      await assert.rejects(pending, (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /exited \(code 7/);
        assert.match(error.message, /crashing now/);
        return true;
      });
      assert.ok(Date.now() - started < 10_000);
      assert.deepEqual(await node.exited, { code: 7, signal: null });
      await assert.rejects(node.waitFor('never-sent'), /exited \(code 7/);
      assert.throws(() => node.send({ cmd: 'echo' }), /stdin is closed/);
      assert.equal(await node.stop(), 7);
    });

    it('stop() SIGKILLs a node that ignores quit; kill() resolves on exit', async function () {
      const stubborn = await HeadlessNode.start({ name: 'gina', binPath: standIn });
      stubborn.send({ cmd: 'ignore-quit' });
      await stubborn.waitFor('ignoring');
      assert.equal(await stubborn.stop(300), null);
      assert.equal((await stubborn.exited).signal, 'SIGKILL');

      const other = await HeadlessNode.start({ name: 'hank', binPath: standIn });
      await other.kill('SIGTERM');
      assert.equal((await other.exited).signal, 'SIGTERM');
      await other.stop();
    });

    it('start() fails clearly, and cleans up, when ready never comes or the process dies', async function () {
      const dataDirOf = (message: string): string => {
        const dir = /data-dir (\S+)/.exec(message)?.[1];
        assert.ok(dir, `the error shows stderr:\n${message}`);
        return dir;
      };
      let silentDir = '';
      await assert.rejects(
        HeadlessNode.start({
          name: 'ivy',
          binPath: standIn,
          extraArgs: ['--no-ready'],
          readyTimeoutMs: 500,
        }),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /timed out after 500 ms waiting for event "ready"/);
          silentDir = dataDirOf(error.message);
          return true;
        },
      );
      assert.equal(existsSync(silentDir), false);

      let deadDir = '';
      await assert.rejects(
        HeadlessNode.start({ name: 'jack', binPath: standIn, extraArgs: ['--die-early'] }),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /exited \(code 3/);
          assert.match(error.message, /fatal: cannot bind/);
          deadDir = dataDirOf(error.message);
          return true;
        },
      );
      assert.equal(existsSync(deadDir), false);
    });

    it('runs inside a TestHost namespace', async function () {
      const net = await TestNetwork.create(1, { label: 'headless' });
      try {
        const h0 = net.hosts[0];
        assert.ok(h0);
        const node = await HeadlessNode.start({ name: 'kim', binPath: standIn, host: h0 });
        assert.equal(node.host, h0);
        node.send({ cmd: 'interfaces' });
        const report: NodeEvent = await node.waitFor('interfaces');
        assert.ok((report.addresses as string[]).includes(h0.address));
        assert.equal(await node.stop(), 0);
      } finally {
        await net.close();
      }
    });

    it('stopAllNodes() stops every running node', async function () {
      const nodes = await Promise.all(
        ['lea', 'max'].map((name) => HeadlessNode.start({ name, binPath: standIn })),
      );
      await stopAllNodes();
      for (const node of nodes) assert.deepEqual(await node.exited, { code: 0, signal: null });
    });
  });
});
