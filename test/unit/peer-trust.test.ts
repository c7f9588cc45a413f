/**
 * Trust only by consent (issue 9, findings 6, 7 and the confusables half of 9): strangers do
 * not write the trust store, adverts neither rename known peers nor raise key-changed, and
 * look-alike names count as the same name. Real signaling servers on loopback; discovery is
 * driven by the test (mDNS itself is covered by test/integration/discovery-limits.test.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KnownPeers } from '../../crypto/index.js';
import { KnownPeers as KnownPeersStore, peerIdFromPublicKey } from '../../crypto/index.js';
import type { PeerDirectoryEvents } from '../../main/peer-directory.js';
import { PeerDirectory } from '../../main/peer-directory.js';
import { silentLogger } from '../../p2p/base/logger.js';
import type { AuthenticatedPeer, SignalingConnection } from '../../p2p/signaling/connection.js';
import type { MemoryFile } from '../helpers/crypto-fixtures.js';
import { memoryFile, seededIdentity } from '../helpers/crypto-fixtures.js';
import { eventsOf } from '../helpers/events.js';
import { FakeDiscovery, advertFor } from '../helpers/fake-discovery.js';
import type { SignalingNode } from '../helpers/signaling-nodes.js';
import { LOOPBACK, SignalingNodes } from '../helpers/signaling-nodes.js';
import { withTimeout } from '../helpers/wait.js';

const { record } = eventsOf<PeerDirectoryEvents>();
/** Short enough for tests, long enough that one burst of changes lands in one write. */
const WRITE_DELAY_MS = 50;

describe('PeerDirectory: trust only by consent (real signaling on loopback)', function () {
  this.timeout(60_000);
  const nodes = new SignalingNodes();
  const directories: PeerDirectory[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) directory.close();
    nodes.closeAll();
  });

  /** Our node's directory over `file`, wired to its pool as the session wires it. */
  async function directoryOf(us: SignalingNode, file: MemoryFile): Promise<PeerDirectory> {
    const known: KnownPeers = await KnownPeersStore.load(file, Date.now, {
      writeDelayMs: WRITE_DELAY_MS,
    });
    const directory = new PeerDirectory({
      localId: us.id,
      localKey: us.identity.publicKey,
      knownPeers: known,
      pool: us.pool,
      logger: silentLogger,
    });
    directories.push(directory);
    us.pool.on('connection', (connection) => {
      if (connection.peer) directory.meet(connection.peer);
    });
    return directory;
  }

  /** `from` dials `us`; resolves once our side finished the key exchange too (and met it). */
  async function dialUs(from: SignalingNode, us: SignalingNode): Promise<void> {
    const met = withTimeout(
      new Promise<void>((resolve) => {
        const onConnection = (connection: SignalingConnection): void => {
          if (connection.peer?.id !== from.id) return;
          us.pool.off('connection', onConnection);
          resolve();
        };
        us.pool.on('connection', onConnection);
      }),
      5_000,
      `our side of the key exchange with ${from.name}`,
    );
    await from.pool.dialAddress({ host: LOOPBACK, port: us.port });
    await met;
  }

  it('a stranger connecting as "Alice" does not make the real Alice key-changed after a restart', async () => {
    const file = memoryFile();
    const us = await nodes.make(1, 'us');
    const before = await directoryOf(us, file);
    const stranger = await nodes.make(5, 'Alice');
    await dialUs(stranger, us);
    before.close();
    const restarted = await KnownPeersStore.load(file);
    assert.deepEqual(restarted.list(), [], 'a stranger entered the trust store');

    // Restart: a fresh directory over the same file, and the real Alice connects.
    const after = await directoryOf(us, file);
    const warnings = record(after, 'key-changed');
    const alice = await nodes.make(6, 'Alice');
    await dialUs(alice, us);
    assert.deepEqual(warnings, []);
    assert.equal(after.trustOf(alice.id, 'Alice', alice.identity.publicKey), 'new');
  });

  it('remembers a peer the user added, and only its key under its first name', async () => {
    const file = memoryFile();
    const us = await nodes.make(1, 'us');
    const directory = await directoryOf(us, file);
    const bob = await nodes.make(2, 'bob');
    await directory.add(LOOPBACK, bob.port);
    await directory.flush();
    assert.equal(file.writes, 1);
    const saved = JSON.parse(file.text ?? '') as { peers: { id: string; name: string }[] };
    assert.deepEqual(
      saved.peers.map((peer) => [peer.id, peer.name]),
      [[bob.id, 'bob']],
    );
  });

  it('1,000 strangers cause no write', async () => {
    const file = memoryFile();
    const us = await nodes.make(1, 'us');
    const directory = await directoryOf(us, file);
    // Twenty real key exchanges, then a thousand more authenticated peers as meet() gets them.
    const strangers: SignalingNode[] = [];
    for (let i = 0; i < 20; i++) strangers.push(await nodes.make(100 + i, `stranger ${i}`));
    await Promise.all(strangers.map((node) => dialUs(node, us)));
    assert.equal(file.writes, 0);
    for (let i = 0; i < 1000; i++) {
      // Any 32 bytes will do as a key here, and cost nothing to make.
      const publicKey = new Uint8Array(randomBytes(32));
      const peer: AuthenticatedPeer = {
        id: peerIdFromPublicKey(publicKey),
        publicKey,
        name: `stranger ${i}`,
        port: 1,
        address: LOOPBACK,
      };
      directory.meet(peer);
    }
    // Nothing is even waiting to be written.
    await directory.flush();
    assert.equal(file.writes, 0);
  });

  it('consent to 20 peers at once costs one write', async () => {
    const file = memoryFile();
    const us = await nodes.make(1, 'us');
    const directory = await directoryOf(us, file);
    const strangers: SignalingNode[] = [];
    for (let i = 0; i < 20; i++) strangers.push(await nodes.make(100 + i, `peer ${i}`));
    await Promise.all(strangers.map((node) => dialUs(node, us)));
    for (const node of strangers) directory.consent(node.id);
    await directory.flush();
    assert.equal(file.writes, 1);
    const saved = JSON.parse(file.text ?? '') as { peers: unknown[] };
    assert.equal(saved.peers.length, 20);
  });

  it('a copied advert under another name does not relabel a verified peer', async () => {
    const us = await nodes.make(1, 'us');
    const directory = await directoryOf(us, memoryFile());
    const bob = await nodes.make(2, 'bob');
    await directory.add(LOOPBACK, bob.port);
    await directory.verify(bob.id, true);
    const discovery = new FakeDiscovery();
    directory.watch(discovery.asDiscovery());
    const ups = record(directory, 'peer-up');
    // Bob's id and key, copied by someone else under a name of their choosing.
    discovery.up({ ...advertFor(2, 'Mallory'), host: '192.0.2.66' });
    const view = directory.view(bob.id);
    assert.equal(view?.name, 'bob');
    assert.equal(view?.announcedName, 'Mallory');
    assert.equal(view?.trust, 'verified');
    assert.deepEqual(
      directory.views().map((shown) => shown.name),
      ['bob'],
    );
    assert.ok(ups.every(([up]) => up.name === 'bob'));
    // The real Bob's own advert, under his own name: no rename to flag.
    discovery.up({ ...advertFor(2, 'bob'), host: LOOPBACK, port: bob.port });
    assert.equal(directory.view(bob.id)?.announcedName, undefined);
  });

  it('adverts raise no key-changed: a wrong key for a known id, a known name with a new key', async () => {
    const us = await nodes.make(1, 'us');
    const directory = await directoryOf(us, memoryFile());
    const dave = await nodes.make(4, 'dave');
    await directory.add(LOOPBACK, dave.port);
    const discovery = new FakeDiscovery();
    directory.watch(discovery.asDiscovery());
    const warnings = record(directory, 'key-changed');

    // An advert claiming Dave's id with some other key fails Discovery's checks.
    discovery.invalid({ fqdn: 'dave._meshcall._tcp.local', reason: 'bad key', id: dave.id });
    // An advert under Dave's name with a new key: listed as key-changed, so it cannot be
    // invited unnoticed, but nothing proved that key yet.
    const lookalike = advertFor(6, 'dave');
    discovery.up(lookalike);
    assert.equal(directory.view(lookalike.id)?.trust, 'key-changed');
    assert.equal(warnings.length, 0);

    // A key exchange proves the other key under that name: now it is worth a warning.
    const impostor = await nodes.make(6, 'dave');
    await dialUs(impostor, us);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]![0].peer, impostor.id);
    assert.equal(warnings[0]![0].previousPeer, dave.id);
  });

  it('a confusable name ("Аlice" with a Cyrillic А) counts as the known "Alice"', async () => {
    const us = await nodes.make(1, 'us');
    const directory = await directoryOf(us, memoryFile());
    const alice = await nodes.make(2, 'Alice');
    await directory.add(LOOPBACK, alice.port);
    const warnings = record(directory, 'key-changed');
    const lookalike = await nodes.make(3, '\u0410lice');
    await dialUs(lookalike, us);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]![0].peer, lookalike.id);
    assert.equal(warnings[0]![0].previousPeer, alice.id);
    assert.equal(
      directory.trustOf(lookalike.id, '\u0410lice', seededIdentity(3).publicKey),
      'key-changed',
    );
  });
});
