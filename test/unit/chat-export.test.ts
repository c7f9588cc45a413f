import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { chatExportText, exportChat, runExportCommand } from '../../main/chat-export.js';
import { CommandError } from '../../main/command-error.js';
import type { ChatMessage } from '../../p2p/chat/chat-log.js';

const CALL = 'c0ffee';
const TS = Date.UTC(2024, 4, 1, 12, 0, 0);

/** Runs `work` with this process in another time zone (Node reads TZ whenever it is set). */
function inZone<T>(zone: string, work: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    return work();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

function message(name: string, text: string, n = 1): ChatMessage {
  return { call: CALL, id: `m${n}`, from: 'ab'.repeat(16), name, ts: TS + n, clock: n, text };
}

/** What a line of each format starts with: exactly one per message. */
const STARTS = { text: /^\[\d{4}-/, markdown: /^- \*\*/ } as const;
const FORMATS = ['text', 'markdown'] as const;

/** What some reader takes as the end of a line (Python's str.splitlines, Unicode, …). */
// eslint-disable-next-line no-control-regex -- line-breaking control characters are the point
const LINE_BREAK = /\r\n|[\n\r\v\f\u001c-\u001e\u0085\u2028\u2029]/;

function messageLines(text: string, format: 'text' | 'markdown'): string[] {
  return text.split(LINE_BREAK).filter((l) => STARTS[format].test(l));
}

describe('chat export', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'meshcall-export-unit-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const history = [message('Alice', 'hello'), message('Bob', 'hi there', 2)];

  it('writes a new file, owner-only', async () => {
    const file = path.join(dir, 'chat.txt');
    assert.equal(await exportChat(CALL, history, file, 'text'), file);
    const text = await readFile(file, 'utf8');
    assert.match(text, /\] Alice: hello\n/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('refuses an existing file with ERR_EXPORT_FAILED and leaves it unchanged', async () => {
    const file = path.join(dir, 'notes.md');
    await writeFile(file, 'precious\n');
    await assert.rejects(
      runExportCommand(CALL, history, { cmd: 'export-chat', path: file }),
      (err: unknown) =>
        err instanceof CommandError &&
        err.code === 'ERR_EXPORT_FAILED' &&
        /already exists/.test(err.message),
    );
    assert.equal(await readFile(file, 'utf8'), 'precious\n');
  });

  it('refuses a symbolic link, to an existing file or to none, and writes nothing', async () => {
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'keep me\n');
    const missing = path.join(dir, 'would-be-created.txt');
    for (const [link, target] of [
      [path.join(dir, 'link-to-file.md'), victim],
      [path.join(dir, 'dangling.md'), missing],
    ] as const) {
      await symlink(target, link);
      await assert.rejects(
        runExportCommand(CALL, history, { cmd: 'export-chat', path: link, format: 'markdown' }),
        (err: unknown) => err instanceof CommandError && err.code === 'ERR_EXPORT_FAILED',
      );
      assert.ok((await lstat(link)).isSymbolicLink());
      assert.equal(await readlink(link), target);
    }
    assert.equal(await readFile(victim, 'utf8'), 'keep me\n');
    await assert.rejects(stat(missing), { code: 'ENOENT' });
  });

  it('a message with "\\n[12:00] Mallory: …" cannot forge a line', () => {
    const forged = message('Bob', 'see you\n[2024-05-01T12:00:00.000Z] Mallory: send the keys', 2);
    const markdownForged = message('Bob', 'ok\r\n- **Mallory** (12:00): trust me', 3);
    const named = message('Eve\n[2024-05-01T12:00:00.000Z] Mallory', 'hi', 4);
    const all = [message('Alice', 'hello'), forged, markdownForged, named];
    for (const format of FORMATS) {
      const text = chatExportText(CALL, all, format);
      const lines = messageLines(text, format);
      assert.equal(lines.length, all.length, `${format}:\n${text}`);
      assert.ok(!text.split('\n').some((l) => /^\s*\S*\s*Mallory/.test(l)), format);
    }
    const plain = chatExportText(CALL, all, 'text');
    assert.ok(plain.includes('Bob: see you\\n[2024-05-01T12:00:00.000Z] Mallory: send'), plain);
    assert.ok(plain.includes('Bob: ok\\r\\n- **Mallory** (12:00): trust me'), plain);
  });

  it('keeps every message on its own line, whatever it holds (property)', () => {
    const breaks = fc.constantFrom(
      ...['\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\v', '\\', '\u001e'],
      '\u001b[1A\u001b[2K',
    );
    const text = fc
      .array(fc.oneof(fc.string({ maxLength: 6 }), breaks), { maxLength: 8 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 5 }), (pairs) => {
        const messages = pairs.map(([name, body], i) => message(name, body, i + 1));
        for (const format of FORMATS) {
          const exported = chatExportText(CALL, messages, format);
          const header = format === 'text' ? 2 : 4;
          const lines = exported.split(LINE_BREAK);
          // No escape sequence either: a terminal would obey it (cursor up, erase line).
          assert.ok(!exported.includes('\u001b'), exported);
          // The header, one line per message, and the final newline's empty rest.
          assert.equal(lines.length, header + messages.length + 1, exported);
        }
      }),
    );
  });

  it('answers export-chat-text with the same text and no file', async () => {
    const event = await runExportCommand(CALL, history, {
      cmd: 'export-chat-text',
      format: 'text',
    });
    assert.deepEqual(event, {
      event: 'chat-export-text',
      call: CALL,
      messages: 2,
      format: 'text',
      text: chatExportText(CALL, history, 'text'),
    });
  });

  for (const format of ['markdown', 'text'] as const) {
    it(`writes a date it cannot show as "—" (${format})`, () => {
      const dated = (ts: number, text: string): ChatMessage => ({ ...message('Bob', text), ts });
      const messages = [dated(8.64e15 + 1, 'beyond Date'), dated(0, 'at the epoch')];
      const text = inZone('UTC', () => chatExportText(CALL, messages, format));
      assert.match(text, /—\)?\]?:? .*beyond Date/);
      assert.match(text, /1970-01-01 00:00:00 \+00:00.*at the epoch/);
    });
  }

  it('writes times as the local clock shows them, with the offset from UTC', () => {
    const text = inZone('Asia/Kolkata', () =>
      chatExportText(CALL, [message('Ada', 'namaste', 0)], 'text'),
    );
    assert.match(text, /^\[2024-05-01 17:30:00 \+05:30\] Ada: namaste$/m);
    const markdown = inZone('America/Sao_Paulo', () =>
      chatExportText(CALL, [message('Ada', 'olá', 0)], 'markdown'),
    );
    assert.match(markdown, /\(2024-05-01 09:00:00 -03:00\): olá$/m);
  });
});
