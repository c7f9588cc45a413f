import type { JSX } from 'preact';
import { Kbd } from './bits.js';
import { Dialog } from './Dialog.js';
import { SHORTCUTS } from '../hooks/useShortcuts.js';

export function HelpDialog({ onClose }: { onClose: () => void }): JSX.Element {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} class="help-dialog">
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.key}>
              <td>
                <Kbd>{shortcut.label}</Kbd>
              </td>
              <td>{shortcut.description}</td>
            </tr>
          ))}
          <tr>
            <td>
              <Kbd>Space</Kbd>
            </td>
            <td>Hold to talk while muted</td>
          </tr>
          <tr>
            <td>
              <Kbd>Esc</Kbd>
            </td>
            <td>Close a dialog</td>
          </tr>
          <tr>
            <td>
              <Kbd>Enter</Kbd>
            </td>
            <td>Send a chat message (Shift+Enter for a new line)</td>
          </tr>
        </tbody>
      </table>
      <p class="muted small">Shortcuts work whenever you are not typing in a field.</p>
    </Dialog>
  );
}
