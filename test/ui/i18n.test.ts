/**
 * The interface in each of its six languages, in a real Chromium against a real node (as in
 * ui.test.ts): A = `meshcall app --web` with Chromium in its namespace, B = a headless node that
 * auto-accepts. Each language gets its own browser context whose locale (navigator.languages)
 * picks it; the lobby and the call must show no raw message id and, outside English, no
 * English text that has a translation. Saves the main screens in Italian and Turkish next to
 * the English ones in docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { repoRoot } from '../helpers/json-lines-process.js';
import type { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import type { AppProcess } from './app-process.js';
import { startAdaAndBob, stopEverything } from './two-nodes.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { frameAfter } from './tile-probes.js';

// The page's DOM as far as the probe below uses it (the root tsconfig has no DOM lib).
interface PageNode {
  readonly nodeType: number;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<PageNode>;
}
interface PageElement extends PageNode {
  getAttribute(name: string): string | null;
}
declare const document: { querySelectorAll(selector: string): ArrayLike<PageElement> };

const SCREENSHOTS = join(repoRoot(), 'docs', 'screenshots');
const MESSAGES = join(repoRoot(), 'renderer', 'i18n', 'messages');
/** Each language and the browser locale that must choose it. */
const LANGUAGES = [
  { lang: 'en', locale: 'en-US' },
  { lang: 'it', locale: 'it-IT' },
  { lang: 'tr', locale: 'tr-TR' },
  { lang: 'es', locale: 'es-MX' },
  { lang: 'ro', locale: 'ro-RO' },
  { lang: 'pt', locale: 'pt-BR' },
] as const;
/** Languages whose main screens are saved as screenshots (English is ui.test.ts's). */
const SHOTS: readonly string[] = ['it', 'tr'];

function catalog(lang: string): Record<string, string> {
  return JSON.parse(readFileSync(join(MESSAGES, `${lang}.json`), 'utf8')) as Record<string, string>;
}

/** Every text node and every aria-label, title and placeholder in the page's body. */
function pageTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const elements = document.querySelectorAll('body *');
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i]!;
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = element.getAttribute(name);
        if (value) found.push(value.trim());
      }
      for (let j = 0; j < element.childNodes.length; j++) {
        const node = element.childNodes[j]!;
        const text = node.nodeType === 3 ? node.textContent?.trim() : '';
        if (text) found.push(text);
      }
    }
    return found;
  });
}

describe('the interface in six languages (Chromium, namespaced LAN)', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let first: BrowserContext | undefined;
  let base = '';
  let cookies: Awaited<ReturnType<BrowserContext['cookies']>> = [];
  const english = catalog('en');

  before(async function () {
    this.timeout(120_000);
    ({ network, app, bob, chrome } = await startAdaAndBob({
      label: 'i18n',
      appArgs: ['--fps', '15'],
      bobArgs: [...patternVideo()],
    }));
    // The link's token works once: the first context uses it, the others get its cookie.
    first = await chrome.browser.newContext({ locale: 'en-US' });
    const page = await first.newPage();
    await page.goto(app.url);
    await page.locator('li.peer', { hasText: 'Bob' }).waitFor({ timeout: 15_000 });
    cookies = await first.cookies();
    const url = new URL(app.url);
    url.search = '';
    base = url.href;
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  async function open(browser: Browser, locale: string): Promise<Page> {
    const context = await browser.newContext({
      locale,
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    await context.addCookies(cookies);
    const page = await context.newPage();
    await page.goto(base);
    return page;
  }

  /** No raw id, and (outside English) no English text that this language translates. */
  async function assertAllTranslated(page: Page, lang: string, screen: string): Promise<void> {
    const messages = catalog(lang);
    const texts = await pageTexts(page);
    const ids = texts.filter((text) => Object.hasOwn(english, text));
    assert.deepEqual(ids, [], `${lang} ${screen}: raw message ids on screen`);
    if (lang === 'en') return;
    // English messages this language words differently, as patterns: a placeholder matches
    // anything (plurals and selects are left out: their English forms are checked by the
    // catalog test).
    const englishOnly = Object.entries(english)
      .filter(([id, text]) => messages[id] !== text && !/, (plural|select),/.test(text))
      .map(([, text]) => {
        const parts = text
          .split(/\{[^{}]*\}/)
          .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
        return new RegExp(`^${parts.join('.+')}$`, 'u');
      });
    const left = texts.filter((text) => englishOnly.some((pattern) => pattern.test(text)));

    assert.deepEqual(left, [], `${lang} ${screen}: English text left`);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
  }

  for (const { lang, locale } of LANGUAGES) {
    it(`${lang}: the browser locale ${locale} picks it; the lobby is all in ${lang}`, async () => {
      assert.ok(chrome);
      const page = await open(chrome.browser, locale);
      try {
        await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
        await page.locator('li.peer', { hasText: 'Bob' }).waitFor({ timeout: 15_000 });
        await frameAfter(page, '.tile-self', 0);
        await assertAllTranslated(page, lang, 'lobby');
        if (SHOTS.includes(lang)) {
          await page.mouse.move(640, 3);
          await shot(page, `nearby-${lang}`);
        }
      } finally {
        await page.context().close();
      }
    });
  }

  it('calls Bob (one invite: a node refuses invites that come too fast)', async () => {
    const page = first?.pages()[0];
    assert.ok(page);
    await page.locator(`li.peer button[data-invite="${bob.id}"]`).click();
    await bob.waitFor('call-joined', undefined, 15_000);
    await frameAfter(page, `.tile-remote[data-peer="${bob.id}"]`, 0);
    // Something in the chat for its screenshots (people's words are never translated).
    await page.locator(`.tile-remote[data-peer="${bob.id}"]`).waitFor();
    bob.send({ cmd: 'chat', text: '👋 🎬 🍕' });
    await page.locator('#tab-chat [data-unread="1"]').waitFor({ timeout: 10_000 });
  });

  for (const { lang, locale } of LANGUAGES) {
    it(`${lang}: the call is all in ${lang}`, async () => {
      assert.ok(chrome);
      const page = await open(chrome.browser, locale);
      try {
        const tile = `.tile-remote[data-peer="${bob.id}"]`;
        await frameAfter(page, tile, 0);
        await page.locator(`${tile} .tile-stats`).waitFor({ state: 'attached', timeout: 10_000 });
        await assertAllTranslated(page, lang, 'call');
        if (SHOTS.includes(lang)) {
          await page.locator(tile).hover();
          await shot(page, `call-${lang}`);
        }
        // The other main screens of a call: its chat and Settings, by their tabs.
        for (const [screen, key] of [
          ['chat', 'chat'],
          ['settings', 'settings'],
        ] as const) {
          await page.locator(`#tab-${key}`).click();
          await page.locator(`#tab-${key}[aria-selected="true"]`).waitFor();
          await page.mouse.move(640, 3);
          await assertAllTranslated(page, lang, screen);
          if (SHOTS.includes(lang)) await shot(page, `${screen}-${lang}`);
        }
      } finally {
        await page.context().close();
      }
    });
  }

  it('the language chosen in Settings wins over the browser, is kept, and sets <html lang>', async () => {
    assert.ok(chrome);
    const page = await open(chrome.browser, 'en-US');
    try {
      // The page must know the call before a panel is picked: learning of it brings People
      // to the front, which would replace Settings under the test's hands.
      const remote = page.locator(`.tile-remote[data-peer="${bob.id}"]`);
      await remote.waitFor();
      await page.keyboard.press('s');
      const picker = page.locator('select[data-setting="language"]');
      await picker.selectOption('tr');
      await page.locator('html[lang="tr"]').waitFor({ state: 'attached' });
      await page.getByRole('heading', { name: 'Ayarlar' }).waitFor();
      await page.reload();
      await page.locator('html[lang="tr"]').waitFor({ state: 'attached' });
      await remote.waitFor();
      // The tab, not the S shortcut: S toggles, and the panel may come back open.
      await page.getByRole('tab', { name: 'Ayarlar' }).click();
      await picker.selectOption('system');
      await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
    } finally {
      await page.context().close();
    }
  });
});
