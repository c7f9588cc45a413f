import assert from 'node:assert/strict';
import type { KnownPeers } from '../../crypto/index.js';
import {
  KnownPeers as KnownPeersStore,
  fingerprint,
  peerIdFromPublicKey,
  safetyCode,
} from '../../crypto/index.js';
import { CommandError } from '../../main/command-error.js';
import type { PeerDirectoryEvents } from '../../main/peer-directory.js';
import { PeerDirectory } from '../../main/peer-directory.js';
import { MeshError } from '../../p2p/base/errors.js';
import { silentLogger } from '../../p2p/base/logger.js';
import type { ApiErrorCode } from '../../protocol/api.js';
import { memoryFile, seededIdentity } from '../helpers/crypto-fixtures.js';
import { eventsOf } from '../helpers/events.js';
import { FakeDiscovery, advertFor } from '../helpers/fake-discovery.js';
import type { SignalingNode } from '../helpers/signaling-nodes.js';
import { LOOPBACK, SignalingNodes } from '../helpers/signaling-nodes.js';

const EVENT_MS = 5_000;
const { next: nextEvent, record } = eventsOf<PeerDirectoryEvents>();

async function rejectsCommand(promise: Promise<unknown>, code: ApiErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CommandError, `expected a CommandError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe('PeerDirectory (real signaling pool on loopback)', function () {
  this.timeout(20_000);
  const nodes = new SignalingNodes();
  const directories: PeerDirectory[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) directory.close();
    nodes.closeAll();
  });

  interface Setup {
    alice: SignalingNode;
    bob: SignalingNode;
    known: KnownPeers;
    directory: PeerDirectory;
  }

  /** Alice's directory, wired to her pool as the session wires it; Bob is a bare node. */
  async function setup(options: { known?: KnownPeers; bobName?: string } = {}): Promise<Setup> {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, options.bobName ?? 'bob');
    const known = options.known ?? (await KnownPeersStore.load(memoryFile()));
    const directory = new PeerDirectory({
      localId: alice.id,
      localKey: alice.identity.publicKey,
      knownPeers: known,
      pool: alice.pool,
      logger: silentLogger,
    });
    directories.push(directory);
    alice.pool.on('connection', (connection) => {
      if (connection.peer) directory.meet(connection.peer);
    });
    return { alice, bob, known, directory };
  }

  it('adds a peer by address: peer-up with its view, listed, dialable, kept connected', async () => {
    const { alice, bob, known, directory } = await setup();
    const up = nextEvent(directory, 'peer-up', EVENT_MS);
    await directory.add(LOOPBACK, bob.port);
    const [view] = await up;
    assert.deepEqual(view, {
      peer: bob.id,
      name: 'bob',
      host: LOOPBACK,
      port: bob.port,
      safetyCode: safetyCode(alice.identity.publicKey, bob.identity.publicKey),
      fingerprint: fingerprint(bob.identity.publicKey),
      trust: 'new',
      source: 'manual',
    });
    assert.deepEqual(directory.views(), [view]);
    assert.deepEqual(directory.view(bob.id), view);
    assert.deepEqual(directory.endpoints(bob.id), [
      { host: LOOPBACK, port: bob.port, publicKey: bob.identity.publicKey },
    ]);
    assert.deepEqual(directory.publicKeyOf(bob.id), bob.identity.publicKey);
    // Met on first use: remembered, but still shown as new during this run.
    assert.equal(known.get(bob.id)?.name, 'bob');
    assert.equal(directory.trustOf(bob.id, 'bob', bob.identity.publicKey), 'new');
    const connection = alice.pool.get(bob.id);
    assert.ok(connection);
    assert.equal(directory.needs(connection), true);
    assert.equal(directory.view(alice.id), null);
    assert.deepEqual(directory.endpoints(alice.id), []);
    assert.equal(directory.publicKeyOf(alice.id), null);
  });

  it('refuses to add its own address', async () => {
    const { alice, directory } = await setup();
    const ups = record(directory, 'peer-up');
    // The key exchange refuses a peer with our own key before add() sees who answered.
    await assert.rejects(directory.add(LOOPBACK, alice.port), (error: unknown) => {
      assert.ok(error instanceof MeshError, `expected a MeshError, got ${String(error)}`);
      assert.equal(error.code, 'ERR_PEER_ABORTED');
      return true;
    });
    assert.equal(ups.length, 0);
    assert.deepEqual(directory.views(), []);
    assert.equal(alice.pool.get(alice.id), null);
  });

  it('marks a peer verified and back, and refuses peers it does not list', async () => {
    const { bob, known, directory } = await setup();
    await directory.add(LOOPBACK, bob.port);
    const changes = record(directory, 'trust-changed');
    await directory.verify(bob.id, true);
    assert.equal(directory.isVerified(bob.id), true);
    assert.equal(known.get(bob.id)?.verified, true);
    assert.equal(directory.view(bob.id)?.trust, 'verified');
    await directory.verify(bob.id, false);
    assert.equal(directory.isVerified(bob.id), false);
    assert.deepEqual(changes, [
      [{ peer: bob.id, trust: 'verified' }],
      [{ peer: bob.id, trust: 'new' }],
    ]);
    const stranger = advertFor(7, 'stranger').id;
    await rejectsCommand(directory.verify(stranger, true), 'ERR_UNKNOWN_PEER');
    await rejectsCommand(directory.trust(stranger), 'ERR_UNKNOWN_PEER');
    assert.equal(changes.length, 2);
  });

  it('warns once when a name comes back with another key, until the user trusts it', async () => {
    const known = await KnownPeersStore.load(memoryFile());
    const previous = seededIdentity(9).publicKey;
    await known.remember('Bob', previous);
    const { alice, bob, directory } = await setup({ known });
    const warnings = record(directory, 'key-changed');
    const up = nextEvent(directory, 'peer-up', EVENT_MS);
    await directory.add(LOOPBACK, bob.port);
    assert.equal(warnings.length, 1);
    const [warning] = warnings[0]!;
    assert.equal(warning.peer, bob.id);
    assert.equal(warning.name, 'bob');
    assert.equal(warning.previousPeer, peerIdFromPublicKey(previous));
    assert.ok(warning.message.length > 0);
    assert.equal((await up)[0].trust, 'key-changed');
    // Not remembered on its own, and not verifiable before it is trusted.
    assert.equal(known.get(bob.id), undefined);
    await rejectsCommand(directory.verify(bob.id, true), 'ERR_KEY_CHANGED');

    // A second connection with the same key does not warn again.
    await alice.pool.dialAddress({ host: LOOPBACK, port: bob.port });
    assert.equal(warnings.length, 1);

    const changed = nextEvent(directory, 'trust-changed', EVENT_MS);
    await directory.trust(bob.id);
    assert.deepEqual((await changed)[0], { peer: bob.id, trust: 'known' });
    assert.equal(directory.view(bob.id)?.trust, 'known');
    assert.ok(known.get(bob.id));
    await directory.verify(bob.id, true);
    assert.equal(directory.view(bob.id)?.trust, 'verified');
  });

  it("a call member's rename shows, unless it takes the name of someone else we keep", async () => {
    const known = await KnownPeersStore.load(memoryFile());
    const alice2 = seededIdentity(8).publicKey;
    const carol = seededIdentity(9).publicKey;
    await known.remember('Carol', carol);
    await known.remember('Alice2', alice2);
    const { directory } = await setup({ known });
    const warnings = record(directory, 'key-changed');
    const carolId = peerIdFromPublicKey(carol);
    // A key we keep, under its own name: no warning, even with an older key of that name kept.
    const carolOld = seededIdentity(11).publicKey;
    await known.remember('Carol', carolOld);
    assert.equal(directory.memberName(carolId, 'Carol', carol), 'Carol');
    assert.equal(warnings.length, 0);
    // A key we keep renames: the new name shows, nobody is warned.
    assert.equal(directory.memberName(carolId, 'Caroline', carol), 'Caroline');
    assert.equal(warnings.length, 0);
    // A key we keep takes another's name: it keeps ours, and we are warned.
    assert.equal(directory.memberName(carolId, 'Alice2', carol), 'Carol');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]![0].previousPeer, peerIdFromPublicKey(alice2));
    // A new key naming itself as one we keep: shown as it says, with the warning.
    const stranger = seededIdentity(10).publicKey;
    const strangerId = peerIdFromPublicKey(stranger);
    assert.equal(directory.memberName(strangerId, 'Carol', stranger), 'Carol');
    assert.equal(warnings.length, 2);
    assert.equal(warnings[1]![0].peer, strangerId);
    assert.equal(directory.memberName(strangerId, 'Dora', stranger), 'Dora');
  });

  it('reports a manual peer down when its connection drops, and reconnects to it', async () => {
    const { alice, bob, directory } = await setup();
    await directory.add(LOOPBACK, bob.port);
    const first = alice.pool.get(bob.id);
    assert.ok(first);
    const down = nextEvent(directory, 'peer-down', EVENT_MS);
    bob.pool.get(alice.id)?.close();
    assert.deepEqual((await down)[0], { peer: bob.id, name: 'bob' });
    assert.equal(directory.view(bob.id), null);
    assert.deepEqual(directory.views(), []);
    assert.equal(directory.needs(first), false);
    // Still dialable: the address is kept for the retries.
    assert.equal(directory.endpoints(bob.id).length, 1);

    const [view] = await nextEvent(directory, 'peer-up', EVENT_MS);
    assert.equal(view.peer, bob.id);
    assert.equal(view.source, 'manual');
    const again = alice.pool.get(bob.id);
    assert.ok(again && again !== first);
    assert.equal(directory.needs(again), true);
  });

  it('close is idempotent and stops listing what is added afterwards', async () => {
    const { bob, directory } = await setup();
    const ups = record(directory, 'peer-up');
    directory.close();
    directory.close();
    await directory.add(LOOPBACK, bob.port);
    assert.deepEqual(ups, []);
    assert.equal(directory.view(bob.id), null);
    assert.deepEqual(directory.views(), []);
  });

  describe('with discovery', () => {
    it('lists announced peers, newest advert first, and reports them gone', async () => {
      const { bob, directory } = await setup();
      const discovery = new FakeDiscovery();
      directory.watch(discovery.asDiscovery());
      const carol = advertFor(3, 'carol');
      const ups = record(directory, 'peer-up');
      const downs = record(directory, 'peer-down');
      discovery.up(carol);
      assert.equal(ups.length, 1);
      assert.equal(ups[0]![0].source, 'mdns');
      assert.equal(ups[0]![0].host, carol.host);
      assert.equal(ups[0]![0].trust, 'new');
      assert.deepEqual(directory.endpoints(carol.id), [
        { host: carol.host, port: carol.port, publicKey: carol.publicKey },
      ]);
      discovery.down(carol.id);
      assert.deepEqual(downs, [[{ peer: carol.id, name: 'carol' }]]);
      assert.deepEqual(directory.views(), []);

      // A peer both announced and added by hand: the advert first, then the manual address,
      // and its advert coming and going says nothing while the manual connection holds.
      await directory.add(LOOPBACK, bob.port);
      assert.equal(ups.length, 2);
      const bobAdvert = { ...advertFor(2, 'bob'), host: '192.0.2.9' };
      discovery.up(bobAdvert);
      assert.equal(ups.length, 2);
      assert.equal(directory.view(bob.id)?.source, 'mdns');
      assert.deepEqual(
        directory.endpoints(bob.id).map((endpoint) => endpoint.host),
        ['192.0.2.9', LOOPBACK],
      );
      discovery.down(bob.id);
      assert.equal(downs.length, 1);
      assert.equal(directory.view(bob.id)?.source, 'manual');
    });
  });
});
