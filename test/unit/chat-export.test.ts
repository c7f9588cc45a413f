/** The chat export survives any timestamp a message can carry. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportChat } from '../../main/chat-export.js';
import type { ChatMessage } from '../../p2p/call/call.js';

const CALL = 'f'.repeat(32);

function message(ts: number, text: string): ChatMessage {
  return { call: CALL, id: '1'.repeat(32), from: '2'.repeat(32), name: 'Bob', ts, clock: 1, text };
}

describe('chat export', () => {
  let dir = '';

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'meshcall-export-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const format of ['markdown', 'text'] as const) {
    it(`writes a date it cannot show as "—" (${format})`, async () => {
      const messages = [message(8.64e15 + 1, 'beyond Date'), message(0, 'at the epoch')];
      const file = await exportChat(CALL, messages, path.join(dir, `chat.${format}`), format);
      const text = await readFile(file, 'utf8');
      assert.match(text, /—\)?\]?:? .*beyond Date/);
      assert.match(text, /1970-01-01T00:00:00\.000Z.*at the epoch/);
    });
  }
});
