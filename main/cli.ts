import { runApp } from './app.js';
import { APP_USAGE, USAGE, parseAppArgs, parseHeadlessArgs } from './cli-args.js';
import { runHeadless } from './headless.js';

function argumentError(err: unknown, usage: string): number {
  process.stderr.write(`meshcall: ${err instanceof Error ? err.message : String(err)}\n${usage}\n`);
  return 2;
}

/**
 * Entry point of `meshcall`: dispatches on the first word. Resolves with an exit code, or
 * -1 while a node keeps running (it exits by itself).
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'headless') {
    let args;
    try {
      args = parseHeadlessArgs(rest);
    } catch (err) {
      return argumentError(err, USAGE);
    }
    await runHeadless(args);
    return -1;
  }
  // The desktop app is what a user who types just `meshcall` wants.
  if (command === undefined || command === 'app') {
    let args;
    try {
      args = parseAppArgs(rest);
    } catch (err) {
      return argumentError(err, APP_USAGE);
    }
    return runApp(args, rest);
  }
  process.stderr.write(`${APP_USAGE}\n\n${USAGE}\n`);
  return command === '--help' || command === 'help' || command === '-h' ? 0 : 2;
}
