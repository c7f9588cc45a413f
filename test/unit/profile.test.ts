import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHeadlessArgs } from '../../main/cli-args.js';
import { loadStoredName, saveName, startName } from '../../main/profile-store.js';
import { controlMessageSchema } from '../../p2p/link/control-messages.js';
import { silentLogger } from '../../p2p/base/logger.js';
import { commandSchema } from '../../protocol/api.js';
import { MAX_NAME_LENGTH } from '../../protocol/profile-api.js';
import type { AgentNode } from '../helpers/call-agents.js';
import { CallAgents, bringIn } from '../helpers/call-agents.js';

const LINK_MS = 10_000;

/** Resolves when `node` shows `peer` in its call under `name`. */
function shownAs(node: AgentNode, peer: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${peer} never shown as ${name}`)), LINK_MS);
    const check = (): void => {
      if (node.agent.call?.member(peer)?.name !== name) return;
      clearTimeout(timer);
      resolve();
    };
    node.agent.on('member-joined', check);
    node.agent.on('member-state', check);
    check();
  });
}

describe('display name (set-name)', () => {
  it('the command trims and takes 1 to 64 characters, as --name does', () => {
    assert.deepEqual(commandSchema.parse({ cmd: 'set-name', name: '  Ada  ' }), {
      cmd: 'set-name',
      name: 'Ada',
    });
    const long = 'x'.repeat(MAX_NAME_LENGTH);
    assert.ok(commandSchema.safeParse({ cmd: 'set-name', name: long }).success);
    for (const name of ['', '   ', `${long}x`, 7]) {
      assert.equal(commandSchema.safeParse({ cmd: 'set-name', name }).success, false, String(name));
      if (typeof name === 'string') {
        assert.throws(() => parseHeadlessArgs(['--name', name]), /--name must be/);
      }
    }
    assert.equal(parseHeadlessArgs(['--name', long]).name, long);
    assert.equal(parseHeadlessArgs(['--name', 'Ada']).nameGiven, true);
    assert.equal(parseHeadlessArgs([]).nameGiven, false);
  });

  it('a member tells its new name on the control channel: bounded, never blank', () => {
    assert.ok(controlMessageSchema.safeParse({ t: 'name', name: 'Ada L.' }).success);
    const refused = [
      { t: 'name', name: '' },
      { t: 'name', name: ' \t ' },
      { t: 'name', name: 'x'.repeat(MAX_NAME_LENGTH + 1) },
      { t: 'name' },
      { t: 'name', name: 'Ada', extra: 1 },
    ];
    for (const message of refused) {
      assert.equal(controlMessageSchema.safeParse(message).success, false, JSON.stringify(message));
    }
  });

  describe('the stored name', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'meshcall-profile-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('is saved owner-only and read back', async () => {
      assert.equal(await loadStoredName(dir, silentLogger), null);
      await saveName(dir, 'Ada Lovelace');
      assert.equal(await loadStoredName(dir, silentLogger), 'Ada Lovelace');
      assert.equal((await stat(join(dir, 'profile.json'))).mode & 0o777, 0o600);
    });

    it('renames in quick succession all save, and the last one wins', async () => {
      const names = Array.from({ length: 8 }, (_, i) => `Ada ${i}`);
      await Promise.all(names.map((name) => saveName(dir, name)));
      assert.equal(await loadStoredName(dir, silentLogger), 'Ada 7');
      assert.deepEqual(await readdir(dir), ['profile.json'], 'no temporary file is left');
    });

    it('a malformed file is ignored, not fatal', async () => {
      for (const text of ['{', '{"name":""}', '{"name":42}', `{"name":"${'x'.repeat(65)}"}`]) {
        await writeFile(join(dir, 'profile.json'), text);
        assert.equal(await loadStoredName(dir, silentLogger), null, text);
      }
    });

    it('wins over the default name, not over an explicit --name', () => {
      assert.equal(startName({ name: 'host', nameGiven: false }, 'Ada'), 'Ada');
      assert.equal(startName({ name: 'Bob', nameGiven: true }, 'Ada'), 'Bob');
      assert.equal(startName({ name: 'host', nameGiven: false }, null), 'host');
      assert.equal(startName({ name: 'Bob' }, 'Ada'), 'Bob');
    });
  });

  describe('between call agents over real links', function () {
    this.timeout(60_000);
    const agents = new CallAgents();
    afterEach(() => agents.closeAll());

    it("a member's rename reaches the roster; a later joiner learns it on its link", async () => {
      const a = await agents.start(1, 'Ada');
      const b = await agents.start(2, 'Bob');
      const c = await agents.start(3, 'Cy');
      await bringIn(a, b, LINK_MS, { bothEnds: true });
      a.agent.rename('Ada L.');
      await shownAs(b, a.node.id, 'Ada L.');
      // Cy's signaling hello from Ada carries her start-up name: the link tells the new one.
      await bringIn(b, c, LINK_MS, { bothEnds: true });
      await shownAs(c, a.node.id, 'Ada L.');
      assert.equal(b.agent.call?.member(a.node.id)?.state, 'connected');
    });
  });
});
