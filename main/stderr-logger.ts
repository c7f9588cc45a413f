import type { LogFields, Logger } from '../p2p/base/logger.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * One JSON object per line on stderr: stdout belongs to the event stream. Fields are ids,
 * codes and counts by convention of every caller (no keys, no plaintext).
 */
export function stderrLogger(minimum: Level = 'info'): Logger {
  const write = (level: Level, message: string, fields?: LogFields): void => {
    if (ORDER[level] < ORDER[minimum]) return;
    process.stderr.write(
      `${JSON.stringify({ t: new Date().toISOString(), level, msg: message, ...fields })}\n`,
    );
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

export function parseLogLevel(value: string | undefined): Level {
  return value === 'debug' || value === 'warn' || value === 'error' ? value : 'info';
}
