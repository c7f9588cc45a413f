import fc from 'fast-check';
import { checkClientMessage, checkClientText } from '../../../main/bridge/client-messages.js';
import { commandSchema } from '../../../protocol/api.js';
import { decodeUiFrame, encodeUiFrame } from '../../../protocol/ui-frames.js';
import type { ServerMessage } from '../../../protocol/ui-protocol.js';
import { clientMessageSchema, serverMessageSchema } from '../../../protocol/ui-protocol.js';
import { loadRenderer } from '../../ui/load-renderer.js';
import { target, violation } from '../harness.js';
import { havocBytes, havocText } from '../havoc.js';
import { mutatedBytes, mutatedJsonText } from '../mutate.js';
import { arbitraryFor } from '../zod-arbitrary.js';

const clientMessages = arbitraryFor(clientMessageSchema);

export const bridgeTarget = target({
  name: 'bridge-commands',
  parser: 'main/bridge/client-messages.ts checkClientText / checkClientMessage',
  arbitrary: fc.record({ text: mutatedJsonText(clientMessages), allowQuit: fc.boolean() }),
  havoc: (input, rng) => ({ ...input, text: havocText(input.text, rng) }),
  check({ text, allowQuit }) {
    const verdict = checkClientText(text, { allowQuit });
    // The IPC path gets the decoded value: the same verdict for what parses.
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    if (raw !== undefined && verdict.ok) {
      const again = checkClientMessage(raw, { allowQuit });
      if (!again.ok) violation('IPC and WebSocket paths disagree');
    }
    if (!verdict.ok) {
      if (typeof verdict.message !== 'string' || verdict.message.length === 0)
        violation('untyped rejection');
      return 'rejected';
    }
    if (!commandSchema.safeParse(verdict.command).success) violation('accepted an invalid command');
    if (verdict.command.cmd === 'quit' && !allowQuit) violation('accepted quit from a web page');
    return 'ok';
  },
});

type ParseServerMessage = (text: string) => ServerMessage | null;
let parseServerMessage: ParseServerMessage | null = null;

export const serverMessagesTarget = target({
  name: 'server-messages',
  parser: 'renderer/transport/transport.ts parseServerMessage (protocol/api.ts event schemas)',
  arbitrary: mutatedJsonText(arbitraryFor(serverMessageSchema)),
  havoc: havocText,
  async setup() {
    parseServerMessage ??= (
      await loadRenderer<{ parseServerMessage: ParseServerMessage }>({
        'transport/transport.ts': ['parseServerMessage'],
      })
    ).parseServerMessage;
  },
  check(text) {
    if (parseServerMessage === null) throw new Error('setup did not run');
    const message = parseServerMessage(text);
    if (message === null) return 'rejected';
    if (!serverMessageSchema.safeParse(message).success) violation('accepted an invalid message');
    return 'ok';
  },
});

const uiFrame = fc
  .record({
    kind: fc.constantFrom<'remote' | 'local'>('remote', 'local'),
    peer: fc
      .uint8Array({ minLength: 16, maxLength: 16 })
      .map((b) => Buffer.from(b).toString('hex')),
    frame: fc.nat(),
    width: fc.integer({ min: 1, max: 0xffff }),
    height: fc.integer({ min: 1, max: 0xffff }),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ body, ...frame }) =>
    encodeUiFrame({ ...frame, jpeg: Uint8Array.of(0xff, 0xd8, ...body) }),
  );

export const uiFramesTarget = target({
  name: 'ui-frames',
  parser: 'protocol/ui-frames.ts decodeUiFrame',
  arbitrary: mutatedBytes(uiFrame),
  havoc: havocBytes,
  check(bytes) {
    const frame = decodeUiFrame(bytes);
    if (frame === null) return 'rejected';
    if (!/^[0-9a-f]{32}$/.test(frame.peer) || frame.width < 1 || frame.height < 1) {
      violation(`decoded ${JSON.stringify({ ...frame, jpeg: frame.jpeg.length })}`);
    }
    if (
      frame.frame < 0 ||
      frame.frame > 0xffffffff ||
      frame.jpeg[0] !== 0xff ||
      frame.jpeg[1] !== 0xd8
    ) {
      violation('decoded an impossible frame');
    }
    return 'ok';
  },
});
