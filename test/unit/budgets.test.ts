import assert from 'node:assert/strict';
import type { LogFields, Logger } from '../../p2p/base/logger.js';
import { randomId } from '../../p2p/base/ids.js';
import { TokenBucket } from '../../p2p/base/token-bucket.js';
import { ChatIntake } from '../../p2p/chat/chat-intake.js';
import type { ChatAcceptResult } from '../../p2p/chat/chat-log.js';
import { ControlBudget } from '../../p2p/link/control-budget.js';
import type { ChatWire } from '../../p2p/link/control-messages.js';
import { waitUntil } from '../helpers/wait.js';

/** Keeps every warning; the budgets must log counts, never what a message said. */
function recordingLogger(): Logger & { warnings: [string, LogFields | undefined][] } {
  const warnings: [string, LogFields | undefined][] = [];
  const ignore = (): void => undefined;
  return {
    warnings,
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (m, f) => warnings.push([m, f]),
  };
}

function wire(text = 'secret words'): ChatWire {
  return {
    id: randomId(),
    from: randomId(),
    name: 'someone',
    pk: 'A'.repeat(43) + '=',
    ts: 1,
    clock: 1,
    text,
    sig: 'A'.repeat(86) + '==',
  };
}

describe('budgets', () => {
  describe('TokenBucket', () => {
    it('gives its burst at once, then refills at its rate', () => {
      const bucket = new TokenBucket({ perSecond: 10, burst: 5 }, () => 0);
      for (let i = 0; i < 5; i++) assert.ok(bucket.take(1, 0));
      assert.equal(bucket.take(1, 0), false);
      assert.equal(bucket.msUntil(1, 0), 100);
      assert.ok(bucket.take(1, 100));
      assert.equal(bucket.take(1, 100), false);
      // Never more than the burst saved up, however long it waits.
      assert.ok(bucket.take(5, 10_000));
      assert.equal(bucket.take(1, 10_000), false);
      // A take that does not fit takes nothing.
      assert.equal(bucket.take(3, 10_200), false);
      assert.ok(bucket.take(2, 10_200));
    });
  });

  describe('ControlBudget', () => {
    it('drops messages over the message or byte budget, counts them, logs once a second', () => {
      const logger = recordingLogger();
      const limits = {
        messagesPerSecond: 10,
        messageBurst: 3,
        bytesPerSecond: 1000,
        byteBurst: 2000,
      };
      const budget = new ControlBudget('peer-1', logger, limits, () => 0);
      assert.ok(budget.admit(100, 0));
      assert.ok(budget.admit(100, 0));
      assert.equal(budget.admit(5000, 0), false, 'over the byte budget');
      // A dropped message still arrived: it spent a message token.
      assert.equal(budget.admit(100, 0), false, 'over the message budget');
      for (let i = 0; i < 49; i++) assert.equal(budget.admit(10, 1), false);
      assert.equal(budget.dropped, 51);
      assert.equal(budget.droppedBytes, 5000 + 100 + 490);
      assert.equal(logger.warnings.length, 1, 'one line, not 51');
      assert.ok(budget.admit(10, 1000), 'refilled a second later');
      assert.equal(budget.admit(10, 1000), true);
      for (let i = 0; i < 20; i++) budget.admit(10, 1001);
      assert.equal(logger.warnings.length, 2);
      assert.deepEqual(Object.keys(logger.warnings[1]?.[1] ?? {}).sort(), [
        'bytes',
        'dropped',
        'peer',
        'times',
      ]);
    });
  });

  describe('ChatIntake', () => {
    const limits = { verificationsPerSlice: 8, sliceMs: 100, queueLimit: 40 };

    function intake(log = new Set<string>(), logger: Logger = recordingLogger(), sliceMs = 100) {
      const checked: { id: string; at: number }[] = [];
      const chat = new ChatIntake({
        peer: 'peer-1',
        logger,
        limits: { ...limits, sliceMs },
        known: (id) => log.has(id),
        accept: (w): ChatAcceptResult => {
          checked.push({ id: w.id, at: Date.now() });
          return { status: 'rejected', reason: 'bad signature' };
        },
      });
      return { chat, checked };
    }

    it('checks at most its slice at once and the rest later, in arrival order', async () => {
      const { chat, checked } = intake();
      const wires = Array.from({ length: 24 }, () => wire());
      const started = Date.now();
      chat.push(wires);
      assert.equal(checked.length, 8, 'one slice now');
      assert.equal(chat.queued, 16);
      await waitUntil(() => checked.length === 24, { timeoutMs: 2000, message: 'all checked' });
      assert.ok(Date.now() - started >= 190, 'two more slices of 100 ms');
      assert.deepEqual(
        checked.map((c) => c.id),
        wires.map((w) => w.id),
      );
      assert.equal(chat.rejected, 24);
      chat.close();
    });

    it('drops and counts what overflows its queue; skips what is known or already queued', () => {
      const known = wire();
      const logger = recordingLogger();
      // Slices so long that nothing refills while the test runs.
      const { chat, checked } = intake(new Set([known.id]), logger, 1e9);
      const first = Array.from({ length: 8 }, () => wire());
      const repeated = wire();
      chat.push([known, ...first, repeated, repeated]);
      assert.equal(checked.length, 8);
      assert.equal(chat.queued, 1, 'the repeated one waits once');
      chat.push(Array.from({ length: 60 }, () => wire()));
      assert.equal(chat.queued, 40);
      assert.equal(chat.dropped, 21);
      const lines = logger.warnings.map(([message]) => message);
      assert.deepEqual(lines.sort(), ['chat message rejected', 'chat over budget dropped']);
      assert.ok(!JSON.stringify(logger.warnings).includes('secret words'), 'no plaintext in logs');
      chat.close();
      assert.equal(chat.queued, 0);
    });

    it("one member's flood does not delay another member's chat", () => {
      const flooder = intake();
      const honest = intake();
      flooder.chat.push(Array.from({ length: 100 }, () => wire()));
      const message = wire('hello');
      honest.chat.push([message]);
      assert.deepEqual(
        honest.checked.map((c) => c.id),
        [message.id],
      );
      flooder.chat.close();
      honest.chat.close();
    });
  });
});
