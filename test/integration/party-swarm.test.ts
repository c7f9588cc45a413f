import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CallLink } from '../../p2p/call/call-link.js';
import { PeerLink } from '../../p2p/link/peer-link.js';
import type { PartyManifest } from '../../p2p/party/manifest.js';
import { fileSha256 } from '../../p2p/party/piece-store.js';
import type { Swarm } from '../../p2p/party/swarm.js';
import { runHandshake, seededIdentity } from '../helpers/crypto-fixtures.js';
import { nextEvent } from '../helpers/events.js';
import {
  corrupting,
  isPieceMessage,
  makeSwarm,
  manifestOf,
  memberId,
  tempDir,
} from '../helpers/party-swarms.js';
import { waitUntil } from '../helpers/wait.js';

const SEEDS = [1, 2, 3, 4];
const IDS = SEEDS.map(memberId);
const STREAMER = IDS[0] as string;

/** Two real PeerLinks (node-datachannel over loopback) between members a and b, open. */
async function openLinks(a: number, b: number): Promise<[PeerLink, PeerLink]> {
  const run = runHandshake(seededIdentity(a), seededIdentity(b));
  const quiet = { heartbeatMs: 500, deadAfterMs: 60_000, openTimeoutMs: 20_000, linkNumber: 1 };
  const [idA, idB] = [memberId(a), memberId(b)];
  const la = new PeerLink({
    ...quiet,
    localId: idA,
    peerId: idB,
    session: run.initiator,
    offerer: true,
  });
  const lb = new PeerLink({
    ...quiet,
    localId: idB,
    peerId: idA,
    session: run.responder,
    offerer: false,
  });
  la.on('signal', (signal) => setImmediate(() => lb.handleSignal(signal)));
  lb.on('signal', (signal) => setImmediate(() => la.handleSignal(signal)));
  const opened = Promise.all([nextEvent(la, 'open', 20_000), nextEvent(lb, 'open', 20_000)]);
  lb.start();
  la.start();
  await opened;
  return [la, lb];
}

/** What the per-call coordinator does: piece messages and bulk frames to the swarm. */
function wire(swarm: Swarm, link: PeerLink, peer: string, wrap: (l: CallLink) => CallLink): void {
  link.on('control', (message) => {
    if (isPieceMessage(message)) swarm.handle(peer, message);
  });
  link.on('bulk', (frame) => swarm.handleBulk(peer, frame));
  swarm.addPeer(peer, wrap(link));
}

describe('watch party: four swarms over real links share a generated clip', function () {
  this.timeout(180_000);
  let temp: ReturnType<typeof tempDir>;
  let clip: string;
  let manifest: PartyManifest;
  let sha: string;
  // node-datachannel closes a connection whose JS object is collected: links stay referenced.
  const links: PeerLink[] = [];
  const swarms: Swarm[] = [];
  const done = new Map<Swarm, string>();
  const mesh: { i: number; j: number; la: PeerLink; lb: PeerLink }[] = [];

  before(async () => {
    temp = tempDir('party-clip');
    clip = join(temp.dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=30',
      ],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '20', '-c:v', 'libx264', '-c:a', 'aac'],
      ...['-movflags', '+faststart', clip],
    ]);
    sha = await fileSha256(clip);
  });
  after(() => temp.remove());
  beforeEach(async () => {
    manifest = await manifestOf(clip, STREAMER);
    await openMesh();
  });
  afterEach(() => {
    for (const swarm of swarms.splice(0)) swarm.close();
    done.clear();
    for (const link of links.splice(0)) link.close();
    mesh.length = 0;
  });

  /** The call's mesh, open before anyone shares (as in a call). */
  async function openMesh(): Promise<void> {
    for (let i = 0; i < SEEDS.length; i++) {
      for (let j = i + 1; j < SEEDS.length; j++) {
        const [la, lb] = await openLinks(SEEDS[i] as number, SEEDS[j] as number);
        links.push(la, lb);
        mesh.push({ i, j, la, lb });
      }
    }
  }

  function share(corrupter: string | null, watch?: (swarm: Swarm) => void): Swarm[] {
    const all = IDS.map((id) =>
      makeSwarm(manifest, temp.dir, id, id === STREAMER ? clip : undefined),
    );
    swarms.push(...all);
    // Listening before any link opens: a member may complete while later links still open.
    for (const swarm of all) {
      swarm.on('complete', ({ sha256 }) => done.set(swarm, sha256));
      watch?.(swarm);
    }
    const wrap = (id: string) => (link: CallLink) => (id === corrupter ? corrupting(link) : link);
    for (const { i, j, la, lb } of mesh) {
      wire(all[i] as Swarm, la, IDS[j] as string, wrap(IDS[i] as string));
      wire(all[j] as Swarm, lb, IDS[i] as string, wrap(IDS[j] as string));
    }
    return all;
  }

  async function completions(members: Swarm[]): Promise<string[]> {
    await waitUntil(() => members.every((swarm) => done.has(swarm)), {
      timeoutMs: 120_000,
      message: 'every member completes',
    });
    return members.map((swarm) => done.get(swarm) as string);
  }

  it('every member ends with the streamer’s bytes; the streamer uploads ≤ 2× the file', async () => {
    const started = Date.now();
    const all = share(null);
    const members = all.slice(1);
    const hashes = await completions(members);
    const elapsed = Date.now() - started;
    const size = statSync(clip).size;
    for (const hash of hashes) assert.equal(hash, sha);
    const streamer = all[0] as Swarm;
    const multiple = streamer.uploaded / size;
    const fromMembers = members.map((swarm) =>
      Object.entries(swarm.received)
        .filter(([peer]) => peer !== STREAMER)
        .reduce((sum, [, bytes]) => sum + bytes, 0),
    );
    console.log(
      `      ${size} bytes, ${manifest.pieces.length} pieces: streamer uploaded ${multiple.toFixed(2)}× ` +
        `in ${elapsed} ms; from members ${fromMembers.join(', ')} bytes`,
    );
    assert.ok(multiple <= 2, `streamer uploaded ${multiple.toFixed(2)}× the file`);
    assert.ok(
      fromMembers.every((bytes) => bytes > 0),
      'every member received pieces from non-streamers',
    );
  });

  it('a member serving corrupted pieces is caught and the file still arrives intact', async () => {
    const corrupter = IDS[3] as string;
    const bad: string[] = [];
    const all = share(corrupter, (swarm) => swarm.on('bad-piece', ({ from }) => bad.push(from)));
    const honest = all.slice(1, 3);
    const hashes = await completions(honest);
    for (const hash of hashes) assert.equal(hash, sha);
    assert.ok(bad.length > 0, 'corrupted pieces were caught');
    assert.ok(
      bad.every((from) => from === corrupter),
      'only the corrupter was blamed',
    );
  });
});
