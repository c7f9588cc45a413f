import assert from 'node:assert/strict';
import path from 'node:path';
import { HeadlessNode, repoRoot, stopAllNodes } from '../helpers/json-lines-process.js';
import { LineCollector, stopChild } from '../helpers/lines.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { sessionEventSchema } from '../../protocol/api.js';

/** Three real `meshcall headless` processes on three namespaced hosts joined by a bridge. */
describe('headless nodes on a namespaced LAN', function () {
  this.timeout(60_000);
  let network: TestNetwork;
  let a: HeadlessNode;
  let b: HeadlessNode;
  let c: HeadlessNode;

  before(async () => {
    network = await TestNetwork.create(4, { label: 'call' });
    const [hostA, hostB, hostC] = network.hosts;
    [a, b, c] = await Promise.all([
      HeadlessNode.start({ name: 'Ada', host: hostA, extraArgs: ['--log-level', 'debug'] }),
      HeadlessNode.start({ name: 'Bob', host: hostB }),
      HeadlessNode.start({ name: 'Cy', host: hostC }),
    ]);
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
  });

  it('each node sees the other two via mDNS', async () => {
    const nodes = [a, b, c];
    for (const node of nodes) {
      for (const other of nodes.filter((n) => n !== node)) {
        const up = await node.waitFor('peer-up', (e) => e.peer === other.id, 5000);
        assert.equal(up.name, other.name);
        assert.equal(up.source, 'mdns');
        assert.equal(up.host, other.host?.address);
      }
    }
  });

  it('A invites B; B sees the safety code A computes, accepts, and they chat', async () => {
    const bAtA = await a.waitFor('peer-up', (e) => e.peer === b.id);
    a.send({ cmd: 'invite', peer: b.id });
    const invite = await b.waitFor('invite', (e) => e.from === a.id);
    assert.equal(invite.name, 'Ada');
    assert.equal(invite.safetyCode, bAtA.safetyCode);
    assert.match(String(invite.safetyCode), /^\d{5}( \d{5}){5}$/);

    b.send({ cmd: 'accept', call: invite.call });
    const joined = await b.waitFor('call-joined', (e) => e.call === invite.call);
    assert.deepEqual(
      (joined.members as { peer: string }[]).map((m) => m.peer),
      [a.id],
    );
    await a.waitFor('member-joined', (e) => e.peer === b.id && e.call === invite.call);

    a.send({ cmd: 'chat', text: 'hello from Ada' });
    b.send({ cmd: 'chat', text: 'hello from Bob' });
    await b.waitFor('chat', (e) => e.text === 'hello from Ada' && e.from === a.id);
    await a.waitFor('chat', (e) => e.text === 'hello from Bob' && e.from === b.id);
    // The control channel is ordered: once a later message is in, a duplicate of the
    // earlier one would have been too.
    a.send({ cmd: 'chat', text: 'second' });
    b.send({ cmd: 'chat', text: 'second' });
    await b.waitFor('chat', (e) => e.text === 'second' && e.from === a.id);
    await a.waitFor('chat', (e) => e.text === 'second' && e.from === b.id);
    for (const node of [a, b]) {
      assert.equal(
        node.count('chat', (e) => e.text === 'hello from Ada'),
        1,
      );
      assert.equal(
        node.count('chat', (e) => e.text === 'hello from Bob'),
        1,
      );
    }
  });

  it('answers health with its own event-loop delay and memory, in a call', async () => {
    b.send({ cmd: 'health' });
    const health = sessionEventSchema.parse(await b.waitForNext('health'));
    assert.equal(health.event, 'health');
    if (health.event !== 'health') return;
    assert.ok(health.eventLoopSamples > 0 && health.windowMs > 0, JSON.stringify(health));
    assert.ok(health.eventLoopDelayP99Ms >= 0 && health.eventLoopDelayP99Ms < 1000);
    assert.ok(health.rssBytes > health.heapUsedBytes && health.heapUsedBytes > 0);
  });

  it('a malformed command line gets an error event and changes nothing', async () => {
    const before = a.events.length;
    a.sendRaw('{"cmd":"invite","peer":"not-a-peer"}');
    a.sendRaw('this is not json');
    a.sendRaw('{"cmd":"self-destruct"}');
    const errorsSince = (): number =>
      a.events.slice(before).filter((e) => e.event === 'error' && e.code === 'ERR_BAD_COMMAND')
        .length;
    await a.waitFor('error', () => errorsSince() === 3);
    a.send({ cmd: 'chat', text: 'still here' });
    await b.waitFor('chat', (e) => e.text === 'still here');
    const unexpected = a.events
      .slice(before)
      .filter((e) => e.event !== 'error' && e.event !== 'chat');
    assert.deepEqual(unexpected, []);
  });

  it('garbage on the signaling port does not disturb the call', async () => {
    const hostC = network.hosts[2];
    assert.ok(hostC);
    // A raw TCP client in C's namespace throwing junk at A's signaling port.
    const client = path.join(repoRoot(), 'dist', 'test', 'helpers', 'garbage-client.js');
    const child = hostC.spawn(process.execPath, [client, String(a.host?.address), String(a.port)]);
    const out = new LineCollector(child.stdout!, 'garbage client');
    await out.waitFor((line) => line === 'closed', 10_000, 'the node closing the junk connection');
    await a.waitForStderr(/closed before authentication/, 5000);
    a.send({ cmd: 'chat', text: 'after garbage' });
    b.send({ cmd: 'chat', text: 'after garbage too' });
    await b.waitFor('chat', (e) => e.text === 'after garbage');
    await a.waitFor('chat', (e) => e.text === 'after garbage too');
    assert.equal(a.count('member-left'), 0);
  });

  it('C is never part of the call', () => {
    for (const event of ['invite', 'call-joined', 'member-joined', 'chat']) {
      assert.equal(c.count(event), 0, `C saw ${event}`);
    }
  });

  it('B leaves and A sees it', async () => {
    b.send({ cmd: 'leave' });
    const left = await a.waitFor('member-left', (e) => e.peer === b.id, 10_000);
    assert.equal(left.reason, 'left');
    await b.waitFor('call-ended');
    await a.waitFor('call-ended');
  });

  it("a node that is killed drops out of the others' lists within 10 s", async () => {
    const started = Date.now();
    await c.kill('SIGKILL');
    await a.waitFor('peer-down', (e) => e.peer === c.id, 10_000);
    await b.waitFor('peer-down', (e) => e.peer === c.id, 10_000);
    assert.ok(Date.now() - started <= 10_000);
  });

  it('nothing but events was written to stdout', () => {
    for (const node of [a, b]) assert.deepEqual(node.badStdoutLines, []);
  });

  describe("a rogue advertising B's public key with its own key pair", () => {
    it('is refused, with a clear error on both sides', async () => {
      const hostD = network.hosts[3];
      assert.ok(hostD);
      const publicKey = String(b.ready.publicKey);
      await b.stop();
      await a.waitFor('peer-down', (e) => e.peer === b.id, 10_000);
      const rogueScript = path.join(repoRoot(), 'dist', 'test', 'helpers', 'rogue-node.js');
      const rogue = hostD.spawn(process.execPath, [
        rogueScript,
        '--mode',
        'impostor',
        '--victim-key',
        publicKey,
        '--name',
        'Bob',
      ]);
      try {
        const out = new LineCollector(rogue.stdout!, 'rogue');
        await out.waitFor((l) => l.includes('"ready"'), 10_000, 'rogue ready');
        // A sees "Bob" again (the advert is self-consistent) and invites it.
        await a.waitForNext('peer-up', (e) => e.peer === b.id, 10_000);
        a.send({ cmd: 'invite', peer: b.id });
        const error = await a.waitForNext('error', (e) => e.code === 'ERR_AUTH_FAILED', 10_000);
        assert.match(String(error.message), /could not prove/);
        const refused = await out.waitFor((l) => l.includes('"refused"'), 5000, 'refusal');
        assert.match(refused, /ERR_AUTH_FAILED/);
        assert.equal(
          a.count('member-joined', (e) => e.peer === b.id),
          1,
          'no second join',
        );

        // The other direction: the rogue dials A pretending to be B.
        rogue.stdin!.write(
          `${JSON.stringify({ cmd: 'dial', host: a.host?.address, port: a.port })}\n`,
        );
        const dial = await out.waitFor((l) => l.includes('"dial-result"'), 5000, 'dial result');
        assert.match(dial, /ERR_PEER_ABORTED/);
        assert.match(dial, /ERR_AUTH_FAILED/);
        assert.equal(a.count('invite'), 0);
      } finally {
        await stopChild(rogue);
      }
    });

    it('a malformed advert is ignored and counted, and the node keeps running', async () => {
      const hostD = network.hosts[3];
      assert.ok(hostD);
      const rogueScript = path.join(repoRoot(), 'dist', 'test', 'helpers', 'rogue-node.js');
      const bad = hostD.spawn(process.execPath, [rogueScript, '--mode', 'bad-advert']);
      try {
        await a.waitForStderr(/ignored mDNS advert/, 10_000);
        a.send({ cmd: 'peers' });
        const peers = await a.waitForNext('peers');
        assert.ok(!(peers.peers as { name: string }[]).some((p) => p.name === 'rogue'));
      } finally {
        await stopChild(bad);
      }
    });
  });
});
