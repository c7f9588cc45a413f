/**
 * Finds web links in chat text. Only http and https become links: a message is written by
 * another member (untrusted), and a `javascript:`, `file:` or custom-scheme link must stay
 * text. The result is plain strings; components render them as text nodes, never as HTML.
 */

import { webLink } from '../../protocol/web-link.js';

export type TextPart = { text: string } | { text: string; href: string };

const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence more often than it ends an address. */
const TRAILING = `.,;:!?'")]}>`;

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** Without the sentence's punctuation; a `)` stays when it closes a `(` of the address. */
function trimEnd(candidate: string): string {
  let end = candidate.length;
  while (end > 0 && TRAILING.includes(candidate.charAt(end - 1))) {
    const head = candidate.slice(0, end);
    if (head.endsWith(')') && count(head, '(') >= count(head, ')')) break;
    end--;
  }
  return candidate.slice(0, end);
}

/** Splits `text` into plain parts and link parts, in order; joined, they give `text` back. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = trimEnd(match[0]);
    const href = webLink(candidate);
    const start = match.index;
    if (!href) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
