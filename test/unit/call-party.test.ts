/** CallParty over paired stub links: takeover, buffering holds, the streamer leaving, forgery. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../p2p/base/logger.js';
import type { CallPartyEvents } from '../../p2p/party/call-party.js';
import { BUFFERING_WAIT_MS, CallParty, isPartyMessage } from '../../p2p/party/call-party.js';
import type { PartyManifest } from '../../p2p/party/manifest.js';
import { MIN_PIECE_SIZE, signManifest } from '../../p2p/party/manifest.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';
import { eventsOf } from '../helpers/events.js';
import { StubLink, ada, bob, cy } from '../helpers/stub-call.js';
import { waitUntil } from '../helpers/wait.js';

const partyEvents = eventsOf<CallPartyEvents>();
const MEMBERS = [ada, bob, cy];
/** The streamer's file: two pieces (the stub links carry no pieces, so their hashes go unread). */
const SIZE = MIN_PIECE_SIZE + 1000;
let temp = '';

interface Mesh {
  parties: CallParty[];
  links: StubLink[][];
}

/** Three parties, each pair joined by two stub links that deliver to each other. */
function mesh(): Mesh {
  const links: StubLink[][] = MEMBERS.map(() => []);
  MEMBERS.forEach((me, i) => {
    MEMBERS.forEach((other, j) => {
      if (j <= i) return;
      const mine = new StubLink(other.id);
      const theirs = new StubLink(me.id);
      mine.peer = theirs;
      theirs.peer = mine;
      links[i]?.push(mine);
      links[j]?.push(theirs);
    });
  });
  const keys = new Map(MEMBERS.map((m) => [m.id, m.publicKey]));
  const parties = MEMBERS.map(
    (me, i) =>
      new CallParty(
        me,
        silentLogger,
        () => (links[i] ?? []).filter((l) => l.state === 'open'),
        { publicKeyOf: (id) => keys.get(id) ?? null },
        path.join(temp, 'cache'),
      ),
  );
  parties.forEach((party, i) => {
    for (const link of links[i] ?? []) {
      link.on('control', (m) => {
        if (isPartyMessage(m)) party.handle(link.peerId, m);
      });
      link.open();
    }
  });
  return { parties, links };
}

function manifest(streamer: number, party: string, epoch = 0): PartyManifest {
  return {
    party,
    epoch,
    streamer: MEMBERS[streamer]?.id ?? '',
    title: `film-${party.slice(0, 1)}`,
    size: SIZE,
    duration: 60,
    mime: 'video/mp4',
    codecs: 'avc1.64001f, mp4a.40.2',
    pieceSize: MIN_PIECE_SIZE,
    pieces: ['0'.repeat(64), '1'.repeat(64)],
  };
}

function share(mesh: Mesh, who: number, party: string, epoch = 0): void {
  const signed = signManifest(manifest(who, party, epoch), seededIdentity(MEMBERS[who]?.seed ?? 0));
  mesh.parties[who]?.share(signed, path.join(temp, 'source.mp4'));
}

async function allAgree(mesh: Mesh, check: (p: CallParty) => boolean, what: string): Promise<void> {
  await waitUntil(() => mesh.parties.every(check), { timeoutMs: 2000, message: what });
}

describe('CallParty over stub links', function () {
  this.timeout(20_000);
  let m: Mesh;

  before(() => {
    temp = mkdtempSync(path.join(os.tmpdir(), 'call-party-'));
    writeFileSync(path.join(temp, 'source.mp4'), new Uint8Array(SIZE));
  });

  after(() => rmSync(temp, { recursive: true, force: true }));

  beforeEach(() => {
    m = mesh();
  });

  afterEach(() => {
    for (const party of m.parties) party.close();
    for (const side of m.links) for (const link of side) link.close();
  });

  it('two shares at once: every member ends up in the same one', async () => {
    share(m, 0, 'a'.repeat(32));
    share(m, 1, 'b'.repeat(32));
    await allAgree(m, (p) => p.state?.party === 'b'.repeat(32), 'the higher party id wins');
    const [a] = m.parties as [CallParty];
    assert.equal(a.manifest?.streamer, bob.id);
  });

  it('a member that buffers holds the group, which goes on when it is done', async () => {
    share(m, 0, 'c'.repeat(32));
    await allAgree(m, (p) => p.state?.paused === false, 'playing');
    const slow = m.parties[2] as CallParty;
    slow.setBuffering(true);
    await allAgree(m, (p) => p.state?.paused === true, 'the group waits');
    slow.setBuffering(false);
    await allAgree(m, (p) => p.state?.paused === false, 'the group goes on');
  });

  it('a member that never catches up holds the group for a bounded time only', async () => {
    share(m, 0, 'd'.repeat(32));
    await allAgree(m, (p) => p.state?.paused === false, 'playing');
    const slow = m.parties[1] as CallParty;
    slow.setBuffering(true);
    await allAgree(m, (p) => p.state?.paused === true, 'the group waits');
    const heldAt = Date.now();
    await waitUntil(() => m.parties.every((p) => p.state?.paused === false), {
      timeoutMs: BUFFERING_WAIT_MS + 3000,
      message: 'the group goes on without it',
    });
    const waited = Date.now() - heldAt;
    assert.ok(waited >= BUFFERING_WAIT_MS - 200, `waited ${waited} ms`);
  });

  it('a pause someone asks for while the group waits is kept when the wait ends', async () => {
    share(m, 0, 'e'.repeat(32));
    await allAgree(m, (p) => p.state?.paused === false, 'playing');
    const slow = m.parties[2] as CallParty;
    slow.setBuffering(true);
    await allAgree(m, (p) => p.state?.paused === true, 'the group waits');
    const holder = m.parties[MEMBERS.findIndex((x) => x.id === m.parties[0]?.state?.updatedBy)];
    assert.ok(holder && holder !== slow, 'a member that is not buffering holds the group');
    m.parties[1]?.command({ paused: true, position: 12 });
    await allAgree(m, (p) => p.state?.position === 12, 'the seek reached everyone');
    slow.setBuffering(false);
    // The holder releases its hold as it hears the wait is over: the asked-for pause stays.
    await waitUntil(() => holder.waitingFor.length === 0, { timeoutMs: 2000, message: 'heard' });
    assert.deepEqual([holder.state?.paused, holder.state?.position], [true, 12]);
  });

  it('the streamer leaving with pieces nobody else holds pauses the party and says why', async () => {
    share(m, 0, 'f'.repeat(32));
    await allAgree(m, (p) => p.state?.paused === false, 'playing');
    const [, b, c] = m.parties as [CallParty, CallParty, CallParty];
    const stalled = partyEvents.next(b, 'stalled', 2000);
    for (const side of m.links) for (const link of side) if (link.peerId === ada.id) link.close();
    b.memberLeft(ada.id);
    c.memberLeft(ada.id);
    const [why] = await stalled;
    assert.match(why.reason, /streamer left/);
    await waitUntil(() => b.state?.paused === true && c.state?.paused === true, {
      timeoutMs: 2000,
      message: 'paused',
    });
  });

  it('refuses a manifest not signed by its streamer, and counts it', () => {
    const forged = signManifest(manifest(0, '9'.repeat(32)), seededIdentity(bob.seed));
    const b = m.parties[1] as CallParty;
    b.handle(cy.id, { t: 'party-manifest', manifest: forged });
    assert.equal(b.manifest, null);
    assert.equal(b.rejected, 1);
  });
});
