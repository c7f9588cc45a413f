/**
 * Chromium inside a test host's network namespace, so that the page reaches the node's
 * 127.0.0.1. Playwright launches a small wrapper script that runs `ip netns exec <ns>
 * /usr/bin/chromium "$@"`; Playwright talks to Chromium over a pipe, which survives the exec.
 */
import { accessSync, constants as fsConstants, rmSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { registerExitCleanup } from '../helpers/exit-cleanup.js';
import type { TestHost } from '../helpers/netns/hosts.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * A fake microphone (Chromium's beeping fake device, see FAKE_BEEP_HZ), permission granted
 * without a prompt, and sound that may start without a click.
 */
export const FAKE_MEDIA_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];
/**
 * The fake device's beep: a 400 Hz square wave, 20 ms long, every 500 ms (Chromium's
 * media/audio/fake_audio_input_stream.cc, kBeepFrequency and kBeepDurationMilliseconds).
 */
export const FAKE_BEEP_HZ = 400;

function executable(candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export interface NamespacedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** `extraArgs`: more Chromium flags, e.g. FAKE_MEDIA_ARGS. */
export async function launchChromiumIn(
  host: TestHost,
  extraArgs: readonly string[] = [],
): Promise<NamespacedBrowser> {
  if (!executable([CHROMIUM])) {
    throw new Error(
      `${CHROMIUM} is missing: the UI tests drive Debian's Chromium (apt-get install chromium; ` +
        './dev.sh test installs it)',
    );
  }
  const ip = executable(['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip']) ?? 'ip';
  const dir = await mkdtemp(join(tmpdir(), 'meshcall-ui-chromium-'));
  const unregister = registerExitCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const wrapper = join(dir, 'chromium-in-netns.sh');
  await writeFile(wrapper, `#!/bin/sh\nexec ${ip} netns exec ${host.name} ${CHROMIUM} "$@"\n`);
  await chmod(wrapper, 0o755);
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: wrapper,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      headless: true,
      timeout: 60_000,
    });
  } catch (error: unknown) {
    rmSync(dir, { recursive: true, force: true });
    unregister();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    browser,
    close(): Promise<void> {
      closing ??= (async () => {
        // The network's close kills whatever is left in the namespace if this hangs.
        await Promise.race([
          browser.close().catch(() => undefined),
          new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref()),
        ]);
        rmSync(dir, { recursive: true, force: true });
        unregister();
      })();
      return closing;
    },
  };
}
