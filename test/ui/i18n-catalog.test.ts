/**
 * The interface's message catalogs (renderer/i18n/messages/*.json): every language has exactly
 * English's keys, every message parses as ICU MessageFormat with the same placeholders as the
 * English one, plurals give every form the language's rules use, and nothing is left in
 * English by mistake. Also the language choice (navigator.languages → one of ours) and the
 * formatting of a few messages through @formatjs/intl.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { isPluralElement, isSelectElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { repoRoot } from '../helpers/json-lines-process.js';
import { loadRenderer } from './load-renderer.js';

const LOCALES = ['en', 'it', 'tr', 'es', 'ro', 'pt'] as const;
type Catalog = Record<string, string>;

function catalog(locale: string): Catalog {
  const file = join(repoRoot(), 'renderer', 'i18n', 'messages', `${locale}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Catalog;
}

/** Each argument as "name:kind" (kind: text, number, date, time, plural, select). */
function placeholders(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    switch (element.type) {
      case TYPE.argument:
        into.add(`${element.value}:text`);
        break;
      case TYPE.number:
      case TYPE.date:
      case TYPE.time:
        into.add(`${element.value}:${TYPE[element.type]}`);
        break;
      case TYPE.plural:
      case TYPE.select:
        into.add(`${element.value}:${TYPE[element.type]}`);
        for (const option of Object.values(element.options)) placeholders(option.value, into);
        break;
      case TYPE.tag:
        into.add(`<${element.value}>:tag`);
        placeholders(element.children, into);
        break;
      case TYPE.literal:
      case TYPE.pound:
        break;
    }
  }
  return into;
}

function plurals(elements: MessageFormatElement[]): { options: string[] }[] {
  const found: { options: string[] }[] = [];
  for (const element of elements) {
    if (isPluralElement(element) || isSelectElement(element)) {
      if (isPluralElement(element)) found.push({ options: Object.keys(element.options) });
      for (const option of Object.values(element.options)) found.push(...plurals(option.value));
    }
  }
  return found;
}

/** The plural forms the language really picks for whole counts 0…1000 (its CLDR rules). */
function formsInUse(locale: string): Set<string> {
  const rules = new Intl.PluralRules(locale);
  const forms = new Set<string>();
  for (let n = 0; n <= 1000; n++) forms.add(rules.select(n));
  return forms;
}

/**
 * Messages that may read the same as in English: names of things that every one of these
 * languages borrows (Chat, Markdown, Codec…), key names, and placeholders only.
 */
const CHAT = ['tab.chat', 'chat.title', 'controls.chat.label'];
const SAME_AS_ENGLISH: Record<string, readonly string[]> = {
  it: [...CHAT, 'tab.stage', 'top.offline', 'settings.video', 'source.file.path', 'unit.fps'],
  tr: ['tab.stage', 'settings.video', 'key.enter', 'unit.fps'],
  es: [...CHAT, 'tab.stage', 'settings.video', 'error.generic', 'unit.fps'],
  ro: [
    ...CHAT,
    ...['tab.stage', 'top.offline', 'settings.video', 'add.port', 'key.enter'],
    'source.camera.number',
  ],

  pt: [...CHAT, 'key.enter', 'unit.fps'],
};
const ALWAYS_SAME = ['key.esc', 'stats.codec', 'filter.sepia', 'export.format', 'export.markdown'];

describe('message catalogs (renderer/i18n/messages)', () => {
  const english = catalog('en');
  const ids = Object.keys(english).sort();

  for (const locale of LOCALES) {
    describe(locale, () => {
      const messages = catalog(locale);

      it('has exactly the English keys', () => {
        const keys = Object.keys(messages).sort();
        assert.deepEqual(
          ids.filter((id) => !Object.hasOwn(messages, id)),
          [],
          `missing in ${locale}.json`,
        );
        assert.deepEqual(
          keys.filter((id) => !Object.hasOwn(english, id)),
          [],
          `in ${locale}.json but not in en.json`,
        );
      });

      it('parses every message, with the placeholders of the English one', () => {
        for (const id of ids) {
          const text = messages[id] ?? '';
          assert.ok(text.trim().length > 0, `${locale} ${id} is empty`);
          let elements: MessageFormatElement[];
          try {
            elements = parse(text);
          } catch (error: unknown) {
            assert.fail(`${locale} ${id} is not valid ICU: ${String(error)}`);
          }
          const expected = [...placeholders(parse(english[id] ?? ''))].sort();
          assert.deepEqual([...placeholders(elements)].sort(), expected, `${locale} ${id}`);
        }
      });

      it("gives every plural the forms the language's rules pick, and only valid ones", () => {
        const valid = new Set(new Intl.PluralRules(locale).resolvedOptions().pluralCategories);
        const needed = formsInUse(locale);
        for (const id of ids) {
          for (const plural of plurals(parse(messages[id] ?? ''))) {
            for (const option of plural.options) {
              assert.ok(
                valid.has(option as Intl.LDMLPluralRule) || /^=\d+$/.test(option),
                `${locale} ${id}: "${option}" is not a plural form of ${locale}`,
              );
            }
            for (const form of needed) {
              assert.ok(plural.options.includes(form), `${locale} ${id} lacks the "${form}" form`);
            }
          }
        }
      });

      if (locale !== 'en') {
        it('leaves nothing in English by mistake', () => {
          const allowed = new Set([...ALWAYS_SAME, ...(SAME_AS_ENGLISH[locale] ?? [])]);
          const untranslated = ids.filter((id) => {
            const text = english[id] ?? '';
            // Placeholders and punctuation only: nothing to translate.
            if (!/\p{L}/u.test(text.replace(/\{[^}]*\}/g, ''))) return false;
            return messages[id] === text && !allowed.has(id);
          });
          assert.deepEqual(untranslated, []);
        });
      }
    });
  }

  it('Romanian diacritics are the comma-below ș ț, not the cedilla ş ţ', () => {
    assert.doesNotMatch(JSON.stringify(catalog('ro')), /[şţŞŢ]/);
  });
});

interface I18nModules {
  pickLocale(requested: readonly string[]): string;
  createTranslator(locale: string): {
    t(id: string, values?: Record<string, string | number>): string;
  };
}

describe('language choice and formatting (renderer/i18n, bundled for Node)', function () {
  this.timeout(30_000);
  let i18n: I18nModules;

  before(async () => {
    i18n = await loadRenderer<I18nModules>({
      'i18n/locales.ts': ['pickLocale'],
      'i18n/catalog.ts': ['createTranslator'],
    });
  });

  it("follows the browser's languages, best match first, English when none fits", () => {
    assert.equal(i18n.pickLocale(['it-IT', 'en-US']), 'it');
    assert.equal(i18n.pickLocale(['tr']), 'tr');
    assert.equal(i18n.pickLocale(['es-MX']), 'es');
    assert.equal(i18n.pickLocale(['ro-RO']), 'ro');
    assert.equal(i18n.pickLocale(['pt-BR']), 'pt');
    assert.equal(i18n.pickLocale(['pt-PT']), 'pt');
    assert.equal(i18n.pickLocale(['de-DE', 'es-ES', 'en']), 'es');
    assert.equal(i18n.pickLocale(['fr-FR']), 'en');
    assert.equal(i18n.pickLocale([]), 'en');
    assert.equal(i18n.pickLocale(['not a tag', 'tr-TR']), 'tr');
  });

  it("formats plurals by each language's rules", () => {
    const inCall = (locale: string, count: number): string =>
      i18n.createTranslator(locale).t('top.inCall', { count });
    assert.equal(inCall('en', 1), 'In a call · 1 person');
    assert.equal(inCall('en', 3), 'In a call · 3 people');
    assert.equal(inCall('it', 2), 'In chiamata · 2 persone');
    assert.equal(inCall('tr', 5), 'Görüşmede · 5 kişi');
    assert.equal(inCall('ro', 1), 'În apel · 1 persoană');
    assert.equal(inCall('ro', 3), 'În apel · 3 persoane');
    assert.equal(inCall('ro', 20), 'În apel · 20 de persoane');
    assert.equal(inCall('pt', 2), 'Em uma chamada · 2 pessoas');
    assert.equal(
      i18n.createTranslator('en').t('tab.unread', { tab: 'Chat', count: 1 }),
      'Chat, 1 unread',
    );
  });
});
