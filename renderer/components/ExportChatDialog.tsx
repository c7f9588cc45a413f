import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useT } from '../i18n/context.js';
import { Dialog } from './Dialog.js';

export function ExportChatDialog({
  count,
  onExport,
  onClose,
}: {
  count: number;
  onExport: (format: 'markdown' | 'text') => void;
  onClose: () => void;
}): JSX.Element {
  const [format, setFormat] = useState<'markdown' | 'text'>('markdown');
  const t = useT();
  return (
    <Dialog
      title={t('export.title')}
      description={t('export.description', { count })}
      onClose={onClose}
    >
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          onExport(format);
          onClose();
        }}
      >
        <fieldset class="fieldset inline-radios">
          <legend class="field-label">{t('export.format')}</legend>
          <label class="radio">
            <input
              type="radio"
              name="format"
              checked={format === 'markdown'}
              data-autofocus
              onChange={() => setFormat('markdown')}
            />
            <span>{t('export.markdown')}</span>
          </label>
          <label class="radio">
            <input
              type="radio"
              name="format"
              checked={format === 'text'}
              onChange={() => setFormat('text')}
            />
            <span>{t('export.text')}</span>
          </label>
        </fieldset>
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="button button-primary">
            {t('export.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
