/**
 * `meshcall app --web --no-open` in a test host: the node plus the browser bridge, which
 * prints one line `meshcall ui http://127.0.0.1:PORT/?s=SECRET`.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerExitCleanup } from '../helpers/exit-cleanup.js';
import { meshcallBin, repoRoot } from '../helpers/json-lines-process.js';
import { LineCollector, stopChild } from '../helpers/lines.js';
import type { TestHost } from '../helpers/netns/hosts.js';

const URL_LINE = /^meshcall ui (http:\/\/127\.0\.0\.1:\d+\/\?s=\S+)$/;

export class AppProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly stdout: LineCollector,
    readonly stderr: LineCollector,
    private readonly dataDir: string,
    private readonly unregister: () => void,
  ) {}

  static async start(host: TestHost, name: string, extraArgs: string[] = []): Promise<AppProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), `meshcall-ui-${name}-`));
    const child = host.spawn(
      process.execPath,
      [
        meshcallBin(),
        'app',
        '--web',
        '--no-open',
        '--name',
        name,
        '--data-dir',
        dataDir,
        '--source',
        'pattern',
        ...extraArgs,
      ],
      { cwd: repoRoot(), env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' } },
    );
    const unregister = registerExitCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const stdout = new LineCollector(child.stdout!, `${name} stdout`);
    const stderr = new LineCollector(child.stderr!, `${name} stderr`);
    try {
      const line = await stdout.waitFor((l) => URL_LINE.test(l), 20_000, 'the "meshcall ui" line');
      const url = URL_LINE.exec(line)?.[1] ?? '';
      return new AppProcess(child, url, stdout, stderr, dataDir, unregister);
    } catch (error: unknown) {
      await stopChild(child);
      await rm(dataDir, { recursive: true, force: true });
      unregister();
      const tail = stderr.lines.slice(-15).join('\n    ');
      throw new Error(`${String(error)}\n  ${name} stderr:\n    ${tail}`, { cause: error });
    }
  }

  /** The last lines the app logged, for failure messages. */
  stderrTail(count = 20): string {
    return this.stderr.lines.slice(-count).join('\n');
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 5_000);
    await rm(this.dataDir, { recursive: true, force: true });
    this.unregister();
  }
}
