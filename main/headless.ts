import { createInterface } from 'node:readline';
import { cleanup as releaseDataChannels } from 'node-datachannel';
import { errorText } from '../p2p/base/errors.js';
import type { SessionEvent } from '../protocol/api.js';
import { commandSchema } from '../protocol/api.js';
import type { HeadlessArgs } from './cli-args.js';
import { openSession } from './open-session.js';
import { parseLogLevel, stderrLogger } from './stderr-logger.js';

const MAX_LINE = 64 * 1024;

/** The headless node: JSON commands on stdin, JSON events on stdout, logs on stderr. */
export async function runHeadless(args: HeadlessArgs): Promise<void> {
  const logger = stderrLogger(parseLogLevel(args.logLevel));
  const write = (event: SessionEvent): void => {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  };
  const session = await openSession(args, logger, { frameEvents: args.frameEvents });
  session.on('event', write);

  let quitting = false;
  const quit = async (code: number): Promise<void> => {
    if (quitting) return;
    quitting = true;
    await session.close();
    releaseDataChannels();
    process.exit(code);
  };
  process.on('SIGINT', () => void quit(0));
  process.on('SIGTERM', () => void quit(0));

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    if (line.length > MAX_LINE) {
      write({
        event: 'error',
        code: 'ERR_BAD_COMMAND',
        message: `command line longer than ${MAX_LINE} bytes`,
      });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      write({ event: 'error', code: 'ERR_BAD_COMMAND', message: 'command is not valid JSON' });
      return;
    }
    const parsed = commandSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
      write({
        event: 'error',
        code: 'ERR_BAD_COMMAND',
        message: `invalid command${where}: ${issue?.message ?? 'rejected'}`,
      });
      return;
    }
    if (parsed.data.cmd === 'quit') {
      void quit(0);
      return;
    }
    session.handle(parsed.data);
  });
  // The parent going away (stdin closed) ends a bot just like quit.
  lines.on('close', () => void quit(0));

  try {
    await session.start();
  } catch (err) {
    logger.error('could not start', { reason: errorText(err) });
    write({ event: 'error', code: 'ERR_INTERNAL', message: `could not start: ${errorText(err)}` });
    await quit(1);
  }
}
