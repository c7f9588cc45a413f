import type { JSX } from 'preact';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';

/** Takes back our unanswered invite to `peer` (Nearby and the "Calling…" tile). */
export function CancelInviteButton({ peer, name }: { peer: string; name: string }): JSX.Element {
  const { send } = useStore();
  const t = useT();
  return (
    <button
      type="button"
      class="button button-small"
      aria-label={t('ring.cancel.label', { name })}
      onClick={() => send({ cmd: 'cancel-invite', peer })}
    >
      {t('ring.cancel')}
    </button>
  );
}
