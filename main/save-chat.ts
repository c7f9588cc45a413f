/**
 * Saving a chat export in the desktop app (issue #13): the page hands over the text the node
 * exported (`export-chat-text`) and the main process asks where to put it with the system's
 * save dialog. The page never names a path; the file name is ours, in local time. Kept free of
 * `electron` so it is tested under Node.
 */
import path from 'node:path';
import * as z from 'zod';
import { chatExportName } from '../protocol/chat-export-name.js';

/** Far above any real chat (20 000 messages of 4000 characters is 80 M): a bound, not a goal. */
export const MAX_EXPORT_CHARS = 96 * 1024 * 1024;

export const saveChatRequestSchema = z.strictObject({
  format: z.enum(['markdown', 'text']),
  text: z.string().max(MAX_EXPORT_CHARS),
  /** The dialog's name for the file type, in the page's language (the node has none). */
  kind: z.string().trim().min(1).max(64),
});
export type SaveChatRequest = z.infer<typeof saveChatRequestSchema>;
export type SaveChatResult = 'saved' | 'cancelled' | 'failed';

export interface SaveDialogChoice {
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
}

/** What the save dialog proposes: our file name in `folder`, and the format's extension. */
export function saveDialogOptions(
  now: Date,
  request: Pick<SaveChatRequest, 'format' | 'kind'>,
  folder: string,
): SaveDialogChoice {
  const extension = request.format === 'markdown' ? 'md' : 'txt';
  return {
    defaultPath: path.join(folder, chatExportName(now, request.format)),
    filters: [{ name: request.kind, extensions: [extension] }],
  };
}

export interface SaveChatDeps {
  /** Shows the save dialog; null when the person cancels. */
  choosePath: (choice: SaveDialogChoice) => Promise<string | null>;
  write: (filePath: string, text: string) => Promise<void>;
  folder: string;
  now?: () => Date;
  onRefused?: (reason: string) => void;
  onFailed?: (reason: unknown) => void;
}

/** Validates the page's request (untrusted), asks where, writes; never throws. */
export async function saveChat(raw: unknown, deps: SaveChatDeps): Promise<SaveChatResult> {
  const request = saveChatRequestSchema.safeParse(raw);
  if (!request.success) {
    deps.onRefused?.(request.error.issues[0]?.message ?? 'malformed');
    return 'failed';
  }
  try {
    const now = deps.now?.() ?? new Date();
    const filePath = await deps.choosePath(saveDialogOptions(now, request.data, deps.folder));
    if (filePath === null) return 'cancelled';
    await deps.write(filePath, request.data.text);
    return 'saved';
  } catch (err) {
    deps.onFailed?.(err);
    return 'failed';
  }
}
