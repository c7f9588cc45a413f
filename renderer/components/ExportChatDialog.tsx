import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
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
  return (
    <Dialog
      title="Export chat"
      description={`Saves this call's chat (${count} message${count === 1 ? '' : 's'}) as a download: your browser asks where, or puts it in your downloads folder.`}
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
          <legend class="field-label">Format</legend>
          <label class="radio">
            <input
              type="radio"
              name="format"
              checked={format === 'markdown'}
              data-autofocus
              onChange={() => setFormat('markdown')}
            />
            <span>Markdown</span>
          </label>
          <label class="radio">
            <input
              type="radio"
              name="format"
              checked={format === 'text'}
              onChange={() => setFormat('text')}
            />
            <span>Plain text</span>
          </label>
        </fieldset>
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary">
            Export
          </button>
        </div>
      </form>
    </Dialog>
  );
}
