import { chatExportName } from '../../protocol/chat-export-name.js';
import type { Msg } from '../i18n/catalog.js';
import { msg } from '../i18n/catalog.js';

/**
 * Saves text through the browser's own download (its save dialog or downloads folder), so
 * the page never names a path on this computer: the user does, or the browser.
 */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the Blob after this task; a minute is ample, then its memory goes.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** How a chat export ended: the desktop app's save dialog, or the browser's download. */
export type ExportOutcome = 'saved' | 'cancelled' | 'failed' | 'downloaded';

interface SavingBridge {
  saveChat(request: { format: 'markdown' | 'text'; text: string; kind: string }): Promise<unknown>;
}

function savingBridge(): SavingBridge | null {
  const bridge = (window as { meshcall?: { saveChat?: unknown } }).meshcall;
  return bridge && typeof bridge.saveChat === 'function' ? (bridge as SavingBridge) : null;
}

/**
 * Saves a chat export: in the desktop app through its save dialog (the main process names
 * the file, in local time), in a browser as a download. `kind` names the file type there.
 */
export async function saveExport(
  format: 'markdown' | 'text',
  text: string,
  kind: string,
): Promise<ExportOutcome> {
  const bridge = savingBridge();
  if (!bridge) {
    const type = format === 'markdown' ? 'text/markdown' : 'text/plain';
    downloadText(chatExportName(new Date(), format), text, `${type};charset=utf-8`);
    return 'downloaded';
  }
  try {
    const outcome = await bridge.saveChat({ format, text, kind });
    return outcome === 'saved' || outcome === 'cancelled' ? outcome : 'failed';
  } catch {
    return 'failed';
  }
}

/** The toast for an export's outcome (none when the person cancelled the dialog). */
export function exportToast(
  outcome: ExportOutcome,
  count: number,
): { kind: 'success' | 'error'; title: Msg; message: Msg } | null {
  switch (outcome) {
    case 'cancelled':
      return null;
    case 'failed':
      return {
        kind: 'error',
        title: msg('error.exportFailed'),
        message: msg('prof.err.exportFailed'),
      };
    case 'saved':
      return {
        kind: 'success',
        title: msg('toast.exported'),
        message: msg('prof.export.saved', { count }),
      };
    case 'downloaded':
      return {
        kind: 'success',
        title: msg('toast.exported'),
        message: msg('toast.exported.download', { count }),
      };
  }
}
