import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';

/** Two real headless nodes on a namespaced LAN: A renames, B follows (issue #13). */
describe('renaming a node', function () {
  this.timeout(60_000);
  let network: TestNetwork;
  let a: HeadlessNode;
  let b: HeadlessNode;

  before(async () => {
    network = await TestNetwork.create(2, { label: 'rename' });
    const [hostA, hostB] = network.hosts;
    [a, b] = await Promise.all([
      HeadlessNode.start({ name: 'Ada', host: hostA }),
      HeadlessNode.start({ name: 'Bob', host: hostB }),
    ]);
    await b.waitFor('peer-up', (e) => e.peer === a.id && e.name === 'Ada', 10_000);
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
  });

  it("B's peer list shows A's new name; A saves it owner-only", async () => {
    a.send({ cmd: 'set-name', name: '  Ada Lovelace ' });
    const changed = await a.waitFor('name-changed', () => true);
    assert.equal(changed.name, 'Ada Lovelace');
    await b.waitFor('peer-up', (e) => e.peer === a.id && e.name === 'Ada Lovelace', 15_000);
    const file = join(a.dataDir, 'profile.json');
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { name: 'Ada Lovelace' });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('a name out of bounds is refused and changes nothing', async () => {
    const before = a.count('name-changed');
    a.send({ cmd: 'set-name', name: '   ' });
    a.send({ cmd: 'set-name', name: 'x'.repeat(65) });
    await a.waitFor('error', () => a.count('error', (e) => e.code === 'ERR_BAD_COMMAND') >= 2);
    assert.equal(a.count('name-changed'), before);
  });

  it("in a call, B's roster follows A's rename; a known peer's list keeps B's name for it", async () => {
    a.send({ cmd: 'invite', peer: b.id });
    const invite = await b.waitFor('invite', (e) => e.from === a.id);
    assert.equal(invite.name, 'Ada Lovelace');
    b.send({ cmd: 'accept', call: invite.call });
    await b.waitFor('call-joined', (e) => e.call === invite.call);
    await a.waitFor('member-joined', (e) => e.peer === b.id);

    a.send({ cmd: 'set-name', name: 'Countess' });
    const state = await b.waitFor('member-state', (e) => e.peer === a.id && e.name === 'Countess');
    assert.equal(state.state, 'connected');
    // B accepted A's invite, so B keeps A's key under the name it had then: the new one is
    // announced beside it, never silently swapped in.
    const up = await b.waitFor(
      'peer-up',
      (e) => e.peer === a.id && e.announcedName === 'Countess',
      15_000,
    );
    assert.equal(up.name, 'Ada Lovelace');
    b.send({ cmd: 'members' });
    const members = await b.waitForNext('members');
    assert.deepEqual(
      (members.members as { peer: string; name: string }[]).map((m) => [m.peer, m.name]),
      [[a.id, 'Countess']],
    );
  });

  it('a page asking for the members (a reload) learns who has a hand up, ours included', async () => {
    a.send({ cmd: 'hand', raised: true });
    await b.waitFor('hand', (e) => e.peer === a.id && e.raised === true);
    b.send({ cmd: 'hand', raised: true });
    await a.waitFor('hand', (e) => e.peer === b.id && e.raised === true);
    await b.waitFor('hand', (e) => e.peer === b.id && e.raised === true);
    const asked = b.waitForNext('members');
    b.send({ cmd: 'members' });
    const after = b.events.indexOf(await asked);
    await b.waitFor('hand', (e) => e.peer === b.id && b.events.indexOf(e) > after);
    const hands = b.events
      .slice(after)
      .filter((e) => e.event === 'hand')
      .map((e) => [e.peer, e.raised]);
    assert.deepEqual(hands, [
      [a.id, true],
      [b.id, true],
    ]);
  });
});
