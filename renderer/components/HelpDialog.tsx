import type { JSX } from 'preact';
import { useT } from '../i18n/context.js';
import { Kbd } from './bits.js';
import { Dialog } from './Dialog.js';
import { SHORTCUTS } from '../hooks/useShortcuts.js';

export function HelpDialog({ onClose }: { onClose: () => void }): JSX.Element {
  const t = useT();
  return (
    <Dialog title={t('help.title')} onClose={onClose} class="help-dialog">
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.key}>
              <td>
                <Kbd>{shortcut.label}</Kbd>
              </td>
              <td>{t(shortcut.description)}</td>
            </tr>
          ))}
          <tr>
            <td>
              <Kbd>{t('key.space')}</Kbd>
            </td>
            <td>{t('help.pushToTalk')}</td>
          </tr>
          <tr>
            <td>
              <Kbd>{t('key.esc')}</Kbd>
            </td>
            <td>{t('help.closeDialog')}</td>
          </tr>
          <tr>
            <td>
              <Kbd>{t('key.enter')}</Kbd>
            </td>
            <td>{t('help.send')}</td>
          </tr>
        </tbody>
      </table>
      <p class="muted small">{t('help.note')}</p>
    </Dialog>
  );
}
