/**
 * The file name a chat export is offered under, in local time (what the person sees on their
 * clock), e.g. meshcall-chat-2026-11-21-1530.md. Shared by the page (a browser download) and
 * the Electron main process (its save dialog), so both name a file alike.
 */
export function chatExportName(now: Date, format: 'markdown' | 'text' = 'markdown'): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const extension = format === 'markdown' ? 'md' : 'txt';
  return `meshcall-chat-${day}-${pad(now.getHours())}${pad(now.getMinutes())}.${extension}`;
}
