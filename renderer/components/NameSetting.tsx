import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { MAX_NAME_LENGTH } from '../../protocol/profile-api.js';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';

const HINT_ID = 'name-setting-hint';

/** Why a typed name cannot be used (the node's own bounds, protocol/profile-api.ts), or null. */
export function nameProblem(draft: string): 'empty' | 'tooLong' | null {
  const trimmed = draft.trim();
  if (trimmed.length === 0) return 'empty';
  return trimmed.length > MAX_NAME_LENGTH ? 'tooLong' : null;
}

/**
 * The name others see us under. Saving sends `set-name`; the field follows the node's
 * `name-changed` (another tab may rename too). Nothing is cut: a name that does not fit says why.
 */
export function NameSetting(): JSX.Element | null {
  const { state, send } = useStore();
  const t = useT();
  const current = state.self?.name ?? '';
  const [draft, setDraft] = useState(current);
  useEffect(() => setDraft(current), [current]);
  if (!state.self) return null;
  const problem = nameProblem(draft);
  const unchanged = draft.trim() === current;
  return (
    <form
      class="setting name-setting"
      aria-label={t('prof.name.form')}
      onSubmit={(event) => {
        event.preventDefault();
        if (problem === null && !unchanged) send({ cmd: 'set-name', name: draft.trim() });
      }}
    >
      <label class="field">
        <span class="field-label section-title">{t('prof.name.title')}</span>
        <input
          class="input"
          type="text"
          data-setting="name"
          autocomplete="nickname"
          spellcheck={false}
          value={draft}
          aria-invalid={problem !== null}
          aria-describedby={HINT_ID}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
      </label>
      <p id={HINT_ID} class={problem ? 'field-error small' : 'muted small'} aria-live="polite">
        {problem === 'empty' && t('prof.name.empty')}
        {problem === 'tooLong' && t('prof.name.tooLong', { max: MAX_NAME_LENGTH })}
        {problem === null && t('prof.name.hint')}
      </p>
      <button type="submit" class="button button-small" disabled={problem !== null || unchanged}>
        {t('prof.name.save')}
      </button>
    </form>
  );
}
