/**
 * Reachability and multicast probes between TestNetwork hosts, made of tiny Node scripts run with
 * `process.execPath -e` inside the hosts (no ping or other tools needed).
 */
import type { ChildProcess } from 'node:child_process';
import type { TestHost } from './netns/hosts.js';
import { CommandError } from './netns/processes.js';
import { LineCollector, stopChild } from './lines.js';

// The scripts are CommonJS (the default for `node -e`); with -e, process.argv[1..] are our args.

const UDP_ECHO_SCRIPT = `
const dgram = require('node:dgram');
const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
socket.bind(Number(process.argv[1]), () => console.log('listening'));
`;

// Sends a token every 100 ms until the echo comes back (exit 0) or the deadline (exit 1).
const UDP_PING_SCRIPT = `
const dgram = require('node:dgram');
const [address, port, timeoutMs] = process.argv.slice(1);
const token = 'ping-' + process.pid + '-' + Math.random();
const socket = dgram.createSocket('udp4');
setTimeout(() => { console.log('timeout'); process.exit(1); }, Number(timeoutMs));
socket.on('message', (msg) => { if (msg.toString() === token) { console.log('ok'); process.exit(0); } });
const send = () => socket.send(token, Number(port), address, () => {});
socket.bind(() => { send(); setInterval(send, 100); });
`;

// Sends count datagrams, intervalMs apart; stops when every echo is back or settleMs after the
// last send, and prints {"sent":n,"received":m}.
const UDP_ECHO_COUNT_SCRIPT = `
const dgram = require('node:dgram');
const [address, port, count, intervalMs, settleMs] = process.argv.slice(1).map((v, i) => i === 0 ? v : Number(v));
const socket = dgram.createSocket('udp4');
const seen = new Set();
let sent = 0;
const finish = () => { console.log(JSON.stringify({ sent, received: seen.size })); process.exit(0); };
socket.on('message', (msg) => { seen.add(msg.toString()); if (seen.size === count) finish(); });
socket.bind(() => {
  const timer = setInterval(() => {
    socket.send('n' + sent, port, address, () => {});
    sent += 1;
    if (sent === count) { clearInterval(timer); setTimeout(finish, settleMs); }
  }, intervalMs);
});
`;

const MULTICAST_LISTEN_SCRIPT = `
const dgram = require('node:dgram');
const [group, port, iface] = process.argv.slice(1);
const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
socket.on('message', (msg, rinfo) => console.log(JSON.stringify({ from: rinfo.address, data: msg.toString() })));
socket.bind(Number(port), () => { socket.addMembership(group, iface); console.log(JSON.stringify({ ready: true })); });
`;

const MULTICAST_SEND_SCRIPT = `
const dgram = require('node:dgram');
const [group, port, iface, data] = process.argv.slice(1);
const socket = dgram.createSocket('udp4');
socket.bind(() => {
  socket.setMulticastInterface(iface);
  socket.setMulticastTTL(1);
  socket.send(data, Number(port), group, (err) => {
    if (err) { console.error(err.message); process.exit(1); }
    socket.close();
  });
});
`;

export interface UdpEchoServer {
  readonly host: TestHost;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a UDP echo server on `host` and resolves once it listens. */
export async function startUdpEcho(
  host: TestHost,
  port = 17_777,
  timeoutMs = 10_000,
): Promise<UdpEchoServer> {
  const child = host.spawn(process.execPath, ['-e', UDP_ECHO_SCRIPT, String(port)]);
  const stdout = new LineCollector(child.stdout!, `udp echo on ${host.name}`);
  const stderr = new LineCollector(child.stderr!, `udp echo on ${host.name} (stderr)`);
  try {
    await stdout.waitFor((line) => line === 'listening', timeoutMs, 'listening');
  } catch (error: unknown) {
    await stopChild(child);
    throw new Error(`${String(error)}\nstderr:\n${stderr.lines.join('\n')}`, { cause: error });
  }
  return { host, port, process: child, stop: () => stopChild(child) };
}

/**
 * True if a UDP echo at address:port answers `from` within `timeoutMs` (the probe retries every
 * 100 ms until then, so a first packet lost to ARP resolution does not matter).
 */
export async function udpPing(
  from: TestHost,
  address: string,
  port = 17_777,
  timeoutMs = 1_000,
): Promise<boolean> {
  try {
    await from.run(
      process.execPath,
      ['-e', UDP_PING_SCRIPT, address, String(port), String(timeoutMs)],
      {
        timeoutMs: timeoutMs + 10_000,
      },
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof CommandError && error.exitCode === 1 && error.stdout.includes('timeout')) {
      return false;
    }
    throw error;
  }
}

/** Sends `count` datagrams to a UDP echo and counts the distinct answers. */
export async function udpEchoCount(
  from: TestHost,
  address: string,
  port: number,
  count: number,
  options: { intervalMs?: number; settleMs?: number } = {},
): Promise<{ sent: number; received: number }> {
  const { stdout } = await from.run(
    process.execPath,
    [
      '-e',
      UDP_ECHO_COUNT_SCRIPT,
      address,
      String(port),
      String(count),
      String(options.intervalMs ?? 2),
      String(options.settleMs ?? 500),
    ],
    { timeoutMs: 60_000 },
  );
  return JSON.parse(stdout.trim()) as { sent: number; received: number };
}

export interface MulticastMessage {
  readonly from: string;
  readonly data: string;
}

export interface MulticastListener {
  readonly host: TestHost;
  readonly messages: readonly MulticastMessage[];
  /** The first message (already received or still to come) that matches. */
  waitForMessage(
    predicate: (message: MulticastMessage) => boolean,
    timeoutMs: number,
  ): Promise<MulticastMessage>;
  stop(): Promise<void>;
}

/** Joins `group` on the host's eth0 address, listening on `port`; resolves once joined. */
export async function startMulticastListener(
  host: TestHost,
  group: string,
  port: number,
  timeoutMs = 10_000,
): Promise<MulticastListener> {
  const child = host.spawn(process.execPath, [
    '-e',
    MULTICAST_LISTEN_SCRIPT,
    group,
    String(port),
    host.address,
  ]);
  const stdout = new LineCollector(child.stdout!, `multicast listener on ${host.name}`);
  const stderr = new LineCollector(child.stderr!, `multicast listener on ${host.name} (stderr)`);
  const parse = (line: string): (MulticastMessage & { ready?: boolean }) | undefined => {
    try {
      return JSON.parse(line) as MulticastMessage & { ready?: boolean };
    } catch {
      return undefined;
    }
  };
  try {
    await stdout.waitFor((line) => parse(line)?.ready === true, timeoutMs, 'group joined');
  } catch (error: unknown) {
    await stopChild(child);
    throw new Error(`${String(error)}\nstderr:\n${stderr.lines.join('\n')}`, { cause: error });
  }
  const toMessage = (line: string): MulticastMessage | undefined => {
    const parsed = parse(line);
    return parsed && typeof parsed.from === 'string' && typeof parsed.data === 'string'
      ? { from: parsed.from, data: parsed.data }
      : undefined;
  };
  return {
    host,
    get messages() {
      return stdout.lines.map(toMessage).filter((m): m is MulticastMessage => m !== undefined);
    },
    async waitForMessage(predicate, ms) {
      const line = await stdout.waitFor(
        (candidate) => {
          const message = toMessage(candidate);
          return message !== undefined && predicate(message);
        },
        ms,
        'matching multicast message',
      );
      return toMessage(line)!;
    },
    stop: () => stopChild(child),
  };
}

/** Sends one datagram to group:port out of the host's eth0. */
export async function sendMulticast(
  from: TestHost,
  group: string,
  port: number,
  data: string,
): Promise<void> {
  await from.run(process.execPath, [
    '-e',
    MULTICAST_SEND_SCRIPT,
    group,
    String(port),
    from.address,
    data,
  ]);
}
