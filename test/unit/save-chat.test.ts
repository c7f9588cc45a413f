import assert from 'node:assert/strict';
import type { SaveDialogChoice } from '../../main/save-chat.js';
import { MAX_EXPORT_CHARS, saveChat, saveDialogOptions } from '../../main/save-chat.js';
import { chatExportName } from '../../protocol/chat-export-name.js';

/** 21 Nov 2026, 09:05 on this machine's clock (the name is in local time). */
const NOW = new Date(2026, 10, 21, 9, 5, 42);
const REQUEST = { format: 'markdown', text: '# chat\n', kind: 'Markdown document' } as const;

describe('chat export in the desktop app (save dialog)', () => {
  it('names the file in local time, with the format’s extension', () => {
    assert.equal(chatExportName(NOW, 'markdown'), 'meshcall-chat-2026-11-21-0905.md');
    assert.equal(chatExportName(NOW, 'text'), 'meshcall-chat-2026-11-21-0905.txt');
    assert.deepEqual(saveDialogOptions(NOW, { format: 'text', kind: 'Plain text' }, '/home/ada'), {
      defaultPath: '/home/ada/meshcall-chat-2026-11-21-0905.txt',
      filters: [{ name: 'Plain text', extensions: ['txt'] }],
    });
  });

  it('asks where, writes the text there, and says saved', async () => {
    const written: [string, string][] = [];
    let asked: SaveDialogChoice | null = null;
    const outcome = await saveChat(REQUEST, {
      folder: '/home/ada/Documents',
      now: () => NOW,
      choosePath: (choice) => {
        asked = choice;
        return Promise.resolve('/tmp/chosen.md');
      },
      write: (filePath, text) => {
        written.push([filePath, text]);
        return Promise.resolve();
      },
    });
    assert.equal(outcome, 'saved');
    assert.deepEqual(written, [['/tmp/chosen.md', '# chat\n']]);
    assert.equal(
      (asked as SaveDialogChoice | null)?.defaultPath,
      '/home/ada/Documents/meshcall-chat-2026-11-21-0905.md',
    );
  });

  it('a cancelled dialog writes nothing; a failed write says failed', async () => {
    let writes = 0;
    const write = (): Promise<void> => {
      writes++;
      return Promise.reject(new Error('EACCES'));
    };
    const cancelled = await saveChat(REQUEST, {
      folder: '/x',
      choosePath: () => Promise.resolve(null),
      write,
    });
    assert.equal(cancelled, 'cancelled');
    assert.equal(writes, 0);
    const failures: unknown[] = [];
    const failed = await saveChat(REQUEST, {
      folder: '/x',
      choosePath: () => Promise.resolve('/x/y.md'),
      write,
      onFailed: (err) => failures.push(err),
    });
    assert.equal(failed, 'failed');
    assert.equal(failures.length, 1);
  });

  it('refuses what the page may not send, before any dialog opens', async () => {
    const bad: unknown[] = [
      null,
      'text',
      { format: 'pdf', text: '', kind: 'x' },
      { format: 'text', text: 5, kind: 'x' },
      { format: 'text', text: '', kind: '' },
      { format: 'text', text: '', kind: 'x'.repeat(65) },
      { format: 'text', text: 'x'.repeat(MAX_EXPORT_CHARS + 1), kind: 'x' },
      { ...REQUEST, path: '/etc/passwd' },
      { format: 'text', kind: 'x' },
    ];
    for (const raw of bad) {
      let dialogs = 0;
      const refused: string[] = [];
      const outcome = await saveChat(raw, {
        folder: '/x',
        choosePath: () => {
          dialogs++;
          return Promise.resolve('/x/y');
        },
        write: () => Promise.resolve(),
        onRefused: (reason) => refused.push(reason),
      });
      assert.equal(outcome, 'failed', JSON.stringify(raw)?.slice(0, 80));
      assert.equal(dialogs, 0);
      assert.equal(refused.length, 1);
    }
  });
});
