import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { defaultExportName } from '../lib/format.js';
import { Dialog } from './Dialog.js';

export function ExportChatDialog({
  count,
  onExport,
  onClose,
}: {
  count: number;
  onExport: (path: string, format: 'markdown' | 'text') => void;
  onClose: () => void;
}): JSX.Element {
  const [path, setPath] = useState(() => defaultExportName(new Date()));
  const [format, setFormat] = useState<'markdown' | 'text'>('markdown');
  const trimmed = path.trim();
  return (
    <Dialog
      title="Export chat"
      description={`Saves this call's chat (${count} message${count === 1 ? '' : 's'}) to a file on this computer. A relative path is saved in the folder meshcall was started from.`}
      onClose={onClose}
    >
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!trimmed) return;
          onExport(trimmed, format);
          onClose();
        }}
      >
        <label class="field">
          <span class="field-label">File</span>
          <input
            class="input"
            type="text"
            value={path}
            data-autofocus
            aria-label="File path to export to"
            spellcheck={false}
            onInput={(event) => {
              const value = event.currentTarget.value;
              setPath(value);
              if (/\.(md|markdown)$/i.test(value)) setFormat('markdown');
              else if (/\.txt$/i.test(value)) setFormat('text');
            }}
          />
        </label>
        <fieldset class="fieldset inline-radios">
          <legend class="field-label">Format</legend>
          <label class="radio">
            <input
              type="radio"
              name="format"
              checked={format === 'markdown'}
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
          <button type="submit" class="button button-primary" disabled={!trimmed}>
            Export
          </button>
        </div>
      </form>
    </Dialog>
  );
}
