import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { waitUntil } from '../helpers/wait.js';

describe('call lifecycle between namespaced headless nodes', function () {
  this.timeout(60_000);
  let network: TestNetwork;

  before(async () => {
    network = await TestNetwork.create(3, { label: 'life' });
  });

  afterEach(async () => {
    await stopAllNodes();
  });

  after(async () => {
    await network?.close();
  });

  function host(index: number): NonNullable<TestNetwork['hosts'][number]> {
    const found = network.hosts[index];
    assert.ok(found, `no host ${index}`);
    return found;
  }

  async function pair(): Promise<[HeadlessNode, HeadlessNode]> {
    const [a, b] = await Promise.all([
      HeadlessNode.start({ name: 'Ada', host: host(0) }),
      HeadlessNode.start({ name: 'Bob', host: host(1) }),
    ]);
    await a.waitFor('peer-up', (e) => e.peer === b.id);
    await b.waitFor('peer-up', (e) => e.peer === a.id);
    return [a, b];
  }

  async function inCall(a: HeadlessNode, b: HeadlessNode): Promise<string> {
    a.send({ cmd: 'invite', peer: b.id });
    const invite = await b.waitFor('invite', (e) => e.from === a.id);
    b.send({ cmd: 'accept', call: invite.call });
    await b.waitFor('call-joined');
    await a.waitFor('member-joined', (e) => e.peer === b.id);
    return String(invite.call);
  }

  it("a declined invite ends the inviter's call with the reason", async () => {
    const [a, b] = await pair();
    a.send({ cmd: 'invite', peer: b.id });
    const invite = await b.waitFor('invite');
    b.send({ cmd: 'decline', call: invite.call, reason: 'in a meeting' });
    const declined = await a.waitFor('invite-declined');
    assert.equal(declined.reason, 'in a meeting');
    await a.waitFor('call-ended', (e) => e.call === invite.call);
    assert.equal(b.count('call-joined'), 0);
  });

  it('the inviter disappearing cancels the pending invite on the invitee', async () => {
    const [a, b] = await pair();
    a.send({ cmd: 'invite', peer: b.id });
    const invite = await b.waitFor('invite');
    await a.kill('SIGKILL');
    await b.waitFor('invite-cancelled', (e) => e.call === invite.call);
    b.send({ cmd: 'accept', call: invite.call });
    const error = await b.waitFor('error', (e) => e.code === 'ERR_NO_SUCH_INVITE');
    assert.match(String(error.message), /no pending invite/);
  });

  it('a member that is killed mid-call is reported gone and the call ends cleanly', async () => {
    const [a, b] = await pair();
    const call = await inCall(a, b);
    const killedAt = Date.now();
    await b.kill('SIGKILL');
    const left = await a.waitFor('member-left', (e) => e.peer === b.id, 10_000);
    assert.match(String(left.reason), /^lost/);
    assert.ok(Date.now() - killedAt < 10_000);
    await a.waitFor('call-ended', (e) => e.call === call);
    a.send({ cmd: 'chat', text: 'anyone?' });
    await a.waitFor('error', (e) => e.code === 'ERR_NOT_IN_CALL');
  });

  it('the inviter leaving ends the call on the invitee', async () => {
    const [a, b] = await pair();
    const call = await inCall(a, b);
    a.send({ cmd: 'leave' });
    const left = await b.waitFor('member-left', (e) => e.peer === a.id);
    assert.equal(left.reason, 'left');
    await b.waitFor('call-ended', (e) => e.call === call);
  });

  it("keeps the ended call's chat for history and export until the next call starts", async () => {
    const [a, b] = await pair();
    const first = await inCall(a, b);
    a.send({ cmd: 'chat', text: 'notes from the first call' });
    await b.waitFor('chat', (e) => e.text === 'notes from the first call');
    b.send({ cmd: 'leave' });
    await a.waitFor('call-ended', (e) => e.call === first);
    a.send({ cmd: 'history' });
    const kept = await a.waitForNext('history');
    assert.equal(kept.call, first);
    assert.deepEqual(
      (kept.messages as { text: string }[]).map((m) => m.text),
      ['notes from the first call'],
    );
    a.send({ cmd: 'export-chat-text', format: 'text' });
    const exported = await a.waitForNext('chat-export-text');
    assert.equal(exported.call, first);
    assert.equal(exported.messages, 1);
    assert.match(String(exported.text), /Ada: notes from the first call/);
    // A new call replaces it: its chat starts empty.
    b.send({ cmd: 'invite', peer: a.id });
    const invite = await a.waitFor('invite', (e) => e.from === b.id);
    const second = String(invite.call);
    assert.notEqual(second, first);
    a.send({ cmd: 'accept', call: second });
    await a.waitFor('call-joined', (e) => e.call === second);
    a.send({ cmd: 'history' });
    const fresh = await a.waitForNext('history');
    assert.equal(fresh.call, second);
    assert.deepEqual(fresh.messages, []);
  });

  it('keeps the identity owner-only and keeps keys and chat text out of the logs', async () => {
    const [a, b] = await pair();
    await inCall(a, b);
    const secretText = 'the launch code is 4242';
    a.send({ cmd: 'chat', text: secretText });
    await b.waitFor('chat', (e) => e.text === secretText);
    const identityPath = path.join(a.dataDir, 'identity.json');
    assert.equal((await stat(identityPath)).mode & 0o777, 0o600);
    assert.equal((await stat(a.dataDir)).mode & 0o777, 0o700);
    // Trust changes are written in batches (a burst of them costs one write): wait for it.
    const knownPeersPath = path.join(a.dataDir, 'known-peers.json');
    await waitUntil(() => existsSync(knownPeersPath), {
      timeoutMs: 5000,
      message: 'the invited peer is remembered on disk',
    });
    assert.equal((await stat(knownPeersPath)).mode & 0o777, 0o600);
    const { secretKey } = JSON.parse(await readFile(identityPath, 'utf8')) as { secretKey: string };
    await a.stop();
    await b.stop();
    for (const node of [a, b]) {
      const log = node.stderrLines.join('\n');
      assert.ok(log.length > 0, 'the node logged something');
      assert.ok(!log.includes(secretText), `${node.name} logged chat text`);
      assert.ok(!log.includes(secretKey), `${node.name} logged a secret key`);
      assert.ok(!log.includes(secretKey.slice(0, 20)), `${node.name} logged part of a secret key`);
    }
  });

  it('warns loudly when a known name comes back with a different key', async () => {
    const [a, b] = await pair();
    await inCall(a, b);
    b.send({ cmd: 'leave' });
    await a.waitFor('call-ended');
    await b.stop();
    await a.waitFor('peer-down', (e) => e.peer === b.id, 10_000);
    // "Bob" again, but a fresh install: a new key pair under the same name.
    const impostor = await HeadlessNode.start({ name: 'Bob', host: host(1) });
    const up = await a.waitFor('peer-up', (e) => e.peer === impostor.id);
    assert.equal(up.trust, 'key-changed');
    a.send({ cmd: 'invite', peer: impostor.id });
    await a.waitFor('error', (e) => e.code === 'ERR_KEY_CHANGED');
    assert.equal(impostor.count('invite'), 0);
    // An advert is only a claim: the warning waits for a key exchange proving the new key.
    assert.equal(a.count('key-changed'), 0);
    impostor.send({ cmd: 'add-peer', host: host(0).address, port: a.port });
    const warning = await a.waitFor('key-changed', (e) => e.peer === impostor.id);
    assert.equal(warning.name, 'Bob');
    assert.equal(warning.previousPeer, b.id);
    // Accepting the new key after comparing safety codes makes it callable.
    a.send({ cmd: 'trust', peer: impostor.id });
    await a.waitFor('trust-changed', (e) => e.peer === impostor.id && e.trust === 'known');
    a.send({ cmd: 'invite', peer: impostor.id });
    await impostor.waitFor('invite', (e) => e.from === a.id);
  });

  it('an invite from a peer whose key changed is never auto-accepted', async () => {
    const a = await HeadlessNode.start({ name: 'Ada', host: host(0) });
    const bob = await HeadlessNode.start({ name: 'Bob', host: host(1), autoAccept: true });
    await a.waitFor('peer-up', (e) => e.peer === bob.id);
    await inCall(a, bob);
    a.send({ cmd: 'leave' });
    await bob.waitFor('call-ended');
    await a.stop();
    // A new install calling itself "Ada" invites Bob, who remembers the old Ada.
    const newAda = await HeadlessNode.start({ name: 'Ada', host: host(2) });
    await newAda.waitFor('peer-up', (e) => e.peer === bob.id);
    newAda.send({ cmd: 'invite', peer: bob.id });
    const invite = await bob.waitFor('invite', (e) => e.from === newAda.id);
    assert.equal(invite.trust, 'key-changed');
    await bob.waitFor('key-changed', (e) => e.peer === newAda.id);
    assert.equal(
      bob.count('call-joined', (e) => e.call === invite.call),
      0,
    );
    bob.send({ cmd: 'decline', call: invite.call });
    await newAda.waitFor('invite-declined');
  });

  it('adds a peer by address where multicast does not reach', async () => {
    const isolated = await TestNetwork.create(2, { label: 'nomcast' });
    try {
      const [h0, h1] = isolated.hosts;
      assert.ok(h0 && h1);
      // Without a default route there is no route for 224.0.0.251: mDNS cannot leave.
      await h0.run('ip', ['route', 'del', 'default']);
      await h1.run('ip', ['route', 'del', 'default']);
      const a = await HeadlessNode.start({ name: 'Ada', host: h0 });
      const b = await HeadlessNode.start({ name: 'Bob', host: h1, autoAccept: true });
      a.send({ cmd: 'add-peer', host: h1.address, port: b.port });
      const up = await a.waitFor('peer-up', (e) => e.peer === b.id);
      assert.equal(up.source, 'manual');
      assert.equal(up.name, 'Bob');
      assert.equal(
        a.count('peer-up', (e) => e.source === 'mdns'),
        0,
      );
      a.send({ cmd: 'invite', peer: b.id });
      await a.waitFor('member-joined', (e) => e.peer === b.id);
      a.send({ cmd: 'chat', text: 'no multicast needed' });
      await b.waitFor('chat', (e) => e.text === 'no multicast needed');
      a.send({ cmd: 'add-peer', host: h1.address, port: 1 });
      const refused = await a.waitFor('error', (e) => e.code === 'ERR_CONNECT');
      assert.match(String(refused.message), /cannot reach/);
    } finally {
      await stopAllNodes();
      await isolated.close();
    }
  });
});
