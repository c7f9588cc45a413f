import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHeadlessArgs } from '../../main/cli-args.js';
import { loadStoredName, saveName, startName } from '../../main/profile-store.js';
import { controlMessageSchema } from '../../p2p/link/control-messages.js';
import { silentLogger } from '../../p2p/base/logger.js';
import { commandSchema } from '../../protocol/api.js';
import { MAX_NAME_LENGTH } from '../../protocol/profile-api.js';

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
});
