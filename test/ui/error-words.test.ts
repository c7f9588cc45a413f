/**
 * Every error code and every reason the node can give has a sentence for people, with what to
 * do, in every language (issue #13, "developer-speak errors"); the node's own text never shows.
 */
import assert from 'node:assert/strict';
import { callEndedReasonSchema, memberLeftReasonSchema } from '../../protocol/api.js';
import { API_ERROR_CODES } from '../../protocol/error-codes.js';
import { loadRenderer } from './load-renderer.js';

const LOCALES = ['en', 'it', 'tr', 'es', 'ro', 'pt'] as const;
/** A message id and values, or a string (the renderer's `Text`). */
type UiText = { id: string } | string;

interface Renderer {
  errorTitle(code: string): { id: string };
  errorSentence(code: string): { id: string };
  reasonSentence(reason: string): { id: string };
  createTranslator(locale: string): { text: (text: UiText) => string };
  CATALOGS: Record<string, Record<string, string>>;
}

describe('error and reason words (renderer/state/errors.ts)', () => {
  let ui: Renderer;
  before(async () => {
    ui = await loadRenderer<Renderer>({
      'state/errors.ts': ['errorTitle', 'errorSentence', 'reasonSentence'],
      'i18n/catalog.ts': ['createTranslator', 'CATALOGS'],
    });
  });

  it('every API error code has a heading and a sentence in every language', () => {
    for (const locale of LOCALES) {
      const catalog = ui.CATALOGS[locale] ?? {};
      const { text } = ui.createTranslator(locale);
      for (const code of API_ERROR_CODES) {
        for (const words of [ui.errorTitle(code), ui.errorSentence(code)]) {
          assert.ok(Object.hasOwn(catalog, words.id), `${locale}: ${code} → ${words.id}`);
          assert.notEqual(words.id, 'error.generic', `${code} has its own heading`);
          assert.doesNotMatch(text(words), /ERR_|[a-z]+[A-Z][a-z]+/, `${code}`);
        }
        assert.notEqual(ui.errorSentence(code).id, 'prof.err.unknown', `${code} has a sentence`);
        // A sentence that says what to do: it ends like a sentence, not a label.
        assert.match(text(ui.errorSentence(code)), /[.。!]$/, `${locale} ${code}`);
      }
    }
  });

  it('every member-left and call-ended reason (and busy) has its own sentence everywhere', () => {
    const reasons = [
      ...memberLeftReasonSchema.options,
      ...callEndedReasonSchema.options,
      'busy',
    ] as string[];
    const ids = new Set<string>();
    for (const reason of reasons) {
      const { id } = ui.reasonSentence(reason);
      assert.notEqual(id, 'prof.reason.other', reason);
      ids.add(id);
      for (const locale of LOCALES) {
        assert.ok(Object.hasOwn(ui.CATALOGS[locale] ?? {}, id), `${locale}: ${reason} → ${id}`);
      }
    }
    assert.equal(ids.size, new Set(reasons).size, 'one sentence per reason');
  });

  it("a peer's own decline words are never shown as ours", () => {
    const { text } = ui.createTranslator('en');
    const said = text(ui.reasonSentence('<b>click evil.example</b>'));
    assert.doesNotMatch(said, /evil/);
  });
});
