/**
 * "Watch together": share a video file from this computer with the call. The node reads the
 * file (it runs on this machine: the browser bridge only listens on 127.0.0.1), so the path
 * is what it needs; a file Chromium cannot play is converted first, with progress shown.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { PathDialog } from '../components/PathDialog.js';
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
  const playing = state.party.state;
  return (
    <PathDialog
      title={t('party.share.title')}
      description={t('party.share.description')}
      label={t('party.share.path')}
      placeholder={t('party.share.path.placeholder')}
      submit={t('party.share.start')}
      formClass="party-share-form"
      onUse={(path) => send({ cmd: 'party-share', path })}
      onClose={onClose}
    >
      <p class="muted small">{t('party.share.formats')}</p>
      {playing && <p class="muted small">{t('party.share.takeover', { title: playing.title })}</p>}
    </PathDialog>
  );
}
