/**
 * The one test of what may leave the app as a link: a well-formed http or https address.
 * The page shows links only when this passes (renderer/lib/links.ts), and the desktop app
 * hands to the system browser only what passes it again (main/electron/main.ts): a link in
 * a chat message is written by another member, and a `javascript:`, `file:` or custom-scheme
 * address must never be opened, nor one that hides its host behind a user name.
 */
export function webLink(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  // "https://bank.example@evil.example" reads as the bank and goes elsewhere.
  if (!parsed.hostname || parsed.username || parsed.password) return null;
  return parsed.href;
}
