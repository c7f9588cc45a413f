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
