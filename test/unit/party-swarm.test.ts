import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signManifest, verifyManifest } from '../../p2p/party/manifest.js';
import type { PartyManifest } from '../../p2p/party/manifest.js';
import { chooseHolder, selectPieces } from '../../p2p/party/piece-selection.js';
import { PieceStore, fileSha256 } from '../../p2p/party/piece-store.js';
import type { Swarm } from '../../p2p/party/swarm.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';
import {
  corrupting,
  makeSwarm,
  manifestOf,
  memberId,
  memoryLink,
  randomFile,
  tempDir,
} from '../helpers/party-swarms.js';
import { waitUntil } from '../helpers/wait.js';

const streamer = memberId(1);
const keys = new Map([1, 2].map((seed) => [memberId(seed), seededIdentity(seed).publicKey]));
const publicKeyOf = (peer: string): Uint8Array | null => keys.get(peer) ?? null;

describe('watch party: manifest, piece store, selection, swarm', function () {
  this.timeout(30_000);
  let temp: ReturnType<typeof tempDir>;
  let manifest: PartyManifest;
  let source: string;
  beforeEach(async () => {
    temp = tempDir('party');
    source = randomFile(temp.dir, 1_000_000);
    manifest = await manifestOf(source, streamer);
  });
  afterEach(() => temp.remove());

  it('verifies a signed manifest and refuses forgeries', () => {
    const signed = signManifest(manifest, seededIdentity(1));
    assert.deepEqual(verifyManifest(signed, publicKeyOf), manifest);
    const altered = { ...signed, manifest: { ...signed.manifest, title: 'other' } };
    assert.equal(verifyManifest(altered, publicKeyOf), null);
    const pieces = [...manifest.pieces].reverse();
    assert.equal(
      verifyManifest({ ...signed, manifest: { ...manifest, pieces } }, publicKeyOf),
      null,
    );
    // Signed by another member but naming the streamer: refused.
    const byOther = signManifest(manifest, seededIdentity(2));
    assert.equal(verifyManifest(byOther, publicKeyOf), null);
    assert.equal(verifyManifest({ ...signed, sig: 'x' }, publicKeyOf), null);
    assert.equal(verifyManifest({ ...signed, extra: 1 }, publicKeyOf), null);
    const lying = { ...manifest, size: manifest.size * 2 };
    assert.equal(verifyManifest(signManifest(lying, seededIdentity(1)), publicKeyOf), null);
    assert.equal(
      verifyManifest(signed, () => null),
      null,
    );
  });

  it('keeps pieces on disk in its cache folder and removes it on close', async () => {
    const dir = join(temp.dir, 'cache');
    const store = new PieceStore({ manifest, dir });
    const bytes = readFileSync(source);
    assert.equal(store.total, Math.ceil(bytes.length / manifest.pieceSize));
    const last = store.total - 1;
    const lastPiece = bytes.subarray(last * manifest.pieceSize);
    await store.write(last, lastPiece);
    assert.ok(store.has(last) && !store.has(0));
    assert.deepEqual(await store.read(last), new Uint8Array(lastPiece));
    await assert.rejects(store.read(0), /not held/);
    await assert.rejects(store.write(0, lastPiece), /wrong length/);
    assert.equal(store.bitfield()[last >> 3], 0x80 >> (last & 7));
    assert.ok(existsSync(store.path));
    store.close();
    store.close();
    assert.ok(!existsSync(dir));

    const seed = new PieceStore({ manifest, dir, sourcePath: source });
    assert.ok(seed.complete);
    assert.deepEqual(
      await seed.read(1),
      new Uint8Array(bytes.subarray(manifest.pieceSize, 2 * manifest.pieceSize)),
    );
    seed.close();
    assert.ok(existsSync(source), 'the streamer’s own file stays');
  });

  it('selects urgent pieces, then the playhead window in order, then rarest first', () => {
    const rarity = [3, 3, 3, 3, 3, 3, 2, 3, 3, 1, 3, 0, 3, 3, 3, 3, 3, 3, 3, 1];
    const held = new Set([5]);
    const order = selectPieces({
      total: rarity.length,
      wanted: (i) => !held.has(i),
      holders: (i) => rarity[i] ?? 0,
      playhead: 3,
      urgent: [15],
      window: 3,
      readAhead: 4,
      limit: 20,
    });
    // 15 urgent; window 3,4 (5 held); read-ahead 6..9 rarest first; the rest rarest first.
    assert.deepEqual(order.slice(0, 3), [15, 3, 4]);
    assert.equal(order[3], 9);
    assert.equal(order[4], 6);
    assert.equal(order[7], 19, 'rarest of the rest');
    assert.ok(!order.includes(11), 'nobody holds 11');
    assert.ok(!order.includes(5));
    assert.equal(order.length, 18);
    const limited = selectPieces({
      total: 4,
      wanted: () => true,
      holders: () => 1,
      playhead: 0,
      urgent: [],
      window: 2,
      readAhead: 0,
      limit: 2,
    });
    assert.deepEqual(limited, [0, 1]);
    assert.equal(
      chooseHolder(['s', 'm'], () => 0, 's'),
      'm',
      'a member before the streamer',
    );
    assert.equal(
      chooseHolder(['s', 'm'], (p) => (p === 'm' ? 2 : 0), 's'),
      's',
      'least loaded',
    );
    assert.equal(
      chooseHolder([], () => 0, 's'),
      null,
    );
  });

  it('drops a corrupted piece, counts it against its sender and fetches it elsewhere', async () => {
    const swarms = new Map<string, Swarm>();
    const good = memberId(1);
    const evil = memberId(2);
    const member = memberId(3);
    // The corrupting member holds a copy of the file too.
    const copy = join(temp.dir, 'copy.bin');
    writeFileSync(copy, readFileSync(source));
    swarms.set(good, makeSwarm(manifest, temp.dir, good, source));
    swarms.set(evil, makeSwarm(manifest, temp.dir, evil, copy));
    swarms.set(member, makeSwarm(manifest, temp.dir, member));
    const get = (id: string) => (): Swarm => swarms.get(id) as Swarm;
    const receiver = get(member)();
    const bad: { from: string; index: number }[] = [];
    receiver.on('bad-piece', (event) => bad.push(event));
    let complete: { sha256: string; path: string } | null = null;
    receiver.on('complete', (event) => (complete = event));
    get(good)().addPeer(member, memoryLink(good, get(member)));
    receiver.addPeer(good, memoryLink(member, get(good)));
    // The evil member holds the file but corrupts every block it sends.
    get(evil)().addPeer(member, corrupting(memoryLink(evil, get(member))));
    receiver.addPeer(evil, memoryLink(member, get(evil)));
    try {
      await waitUntil(() => complete !== null, { timeoutMs: 20_000, message: 'download' });
      assert.equal((complete as { sha256: string } | null)?.sha256, await fileSha256(source));
      assert.ok(bad.length > 0, 'the corrupted pieces were caught');
      assert.ok(bad.every((event) => event.from === evil));
      assert.deepEqual(readFileSync(receiver.path), readFileSync(source));
      assert.ok(receiver.holdsAll());
      assert.deepEqual([...(receiver.holders().get(0) ?? [])].sort(), [good, evil, member].sort());
      const path = receiver.path;
      receiver.close();
      assert.ok(!existsSync(path), 'the cache is removed when the party ends');
    } finally {
      for (const swarm of swarms.values()) swarm.close();
    }
  });

  it('asks another holder for a piece one holder never sends', async () => {
    const silent = memberId(2);
    const member = memberId(3);
    const seeder = makeSwarm(manifest, temp.dir, streamer, source);
    const receiver = makeSwarm(manifest, temp.dir, member);
    try {
      seeder.addPeer(
        member,
        memoryLink(streamer, () => receiver),
      );
      receiver.addPeer(
        streamer,
        memoryLink(member, () => seeder),
      );
      // A member that says it holds everything and never answers a request.
      receiver.addPeer(
        silent,
        memoryLink(member, () => receiver, { deaf: true }),
      );
      const bits = Buffer.alloc(Math.ceil(manifest.pieces.length / 8), 0xff).toString('base64');
      receiver.handle(silent, { t: 'piece-have', party: manifest.party, bits });
      const started = Date.now();
      const sha = await new Promise<string>((resolve) =>
        receiver.on('complete', (e) => resolve(e.sha256)),
      );
      assert.equal(sha, await fileSha256(source));
      assert.ok(Date.now() - started >= 2500, 'the silent member was asked first and waited for');
      assert.equal(receiver.received[silent], 0);
    } finally {
      seeder.close();
      receiver.close();
    }
  });

  it('counts and ignores piece messages and frames it did not ask for', () => {
    const member = memberId(3);
    const other = memberId(2);
    const swarm = makeSwarm(manifest, temp.dir, member);
    try {
      swarm.addPeer(
        other,
        memoryLink(member, () => swarm, { deaf: true }),
      );
      swarm.handle(other, { t: 'piece-have', party: manifest.party, indices: [60_000] });
      const frame = new Uint8Array(100);
      new DataView(frame.buffer).setUint32(0, Number.parseInt(manifest.party.slice(0, 8), 16));
      swarm.handleBulk(other, frame);
      assert.equal(swarm.rejected, 2);
      swarm.handleBulk(other, new Uint8Array(5));
      swarm.handle(memberId(4), { t: 'piece-request', party: manifest.party, indices: [0] });
      assert.equal(swarm.holders().get(0)?.size, 0);
    } finally {
      swarm.close();
    }
  });

  it('read() waits for missing pieces and returns the bytes', async () => {
    const seeder = makeSwarm(manifest, temp.dir, streamer, source);
    const member = memberId(3);
    const reader = makeSwarm(manifest, temp.dir, member);
    try {
      seeder.addPeer(
        member,
        memoryLink(streamer, () => reader),
      );
      reader.addPeer(
        streamer,
        memoryLink(member, () => seeder),
      );
      const start = manifest.pieceSize * 5 + 100;
      const bytes = await reader.read(start, start + 200_000);
      assert.deepEqual(
        bytes,
        new Uint8Array(readFileSync(source).subarray(start, start + 200_000)),
      );
      const pending = reader.read(0, manifest.size);
      reader.close();
      await assert.rejects(pending, /party ended/);
    } finally {
      seeder.close();
      reader.close();
    }
  });
});
