import { USAGE, parseHeadlessArgs } from './cli-args.js';
import { runHeadless } from './headless.js';

/** Entry point of `meshcall`: dispatches on the first word. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'headless') {
    let args;
    try {
      args = parseHeadlessArgs(rest);
    } catch (err) {
      process.stderr.write(
        `meshcall: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`,
      );
      return 2;
    }
    await runHeadless(args);
    return -1;
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
}
