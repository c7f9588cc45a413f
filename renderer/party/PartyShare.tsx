/**
 * "Watch together": share a video file from this computer with the call. The node reads the
 * file (it runs on this machine: the browser bridge only listens on 127.0.0.1), so the path
 * is what it needs; a file Chromium cannot play is converted first, with progress shown.
 */
import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { useI18n } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { Dialog } from '../components/Dialog.js';
import { ToolButton } from '../components/bits.js';

export function PartyShareButton(): JSX.Element {
  const { state } = useStore();
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const preparing = state.party.preparing;
  return (
    <>
      <ToolButton
        class="control"
        icon="film"
        label={t('party.share.label')}
        caption={
          preparing === null ? t('party.share') : t('party.preparing', { percent: preparing })
        }
        onClick={() => setOpen(true)}
      />
      {open && <ShareDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function ShareDialog({ onClose }: { onClose: () => void }): JSX.Element {
  const { send, state } = useStore();
  const { t } = useI18n();
  const [path, setPath] = useState('');
  const fieldId = useId();
  const playing = state.party.state;
  return (
    <Dialog
      title={t('party.share.title')}
      description={t('party.share.description')}
      onClose={onClose}
    >
      <form
        class="party-share-form"
        onSubmit={(event) => {
          event.preventDefault();
          const file = path.trim();
          if (!file) return;
          send({ cmd: 'party-share', path: file });
          onClose();
        }}
      >
        <label class="field" for={fieldId}>
          <span class="field-label">{t('party.share.path')}</span>
          <input
            id={fieldId}
            class="input"
            type="text"
            data-autofocus
            spellcheck={false}
            autocomplete="off"
            placeholder={t('party.share.path.placeholder')}
            value={path}
            onInput={(event) => setPath(event.currentTarget.value)}
          />
        </label>
        <p class="muted small">{t('party.share.formats')}</p>
        {playing && (
          <p class="muted small">{t('party.share.takeover', { title: playing.title })}</p>
        )}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="button button-primary" disabled={path.trim() === ''}>
            {t('party.share.start')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
