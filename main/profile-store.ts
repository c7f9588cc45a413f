import * as z from 'zod';
import { errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import { displayNameSchema } from '../protocol/profile-api.js';
import { ownerOnlyFile } from './owner-only-file.js';

const PROFILE_FILE = 'profile.json';
const profileSchema = z.object({ name: displayNameSchema });

/**
 * The name chosen in the interface, kept next to the identity in an owner-only file. Null
 * when none was chosen, or the file is unreadable or malformed (logged: the node still starts).
 */
export async function loadStoredName(dataDir: string, logger: Logger): Promise<string | null> {
  try {
    const text = await ownerOnlyFile(dataDir, PROFILE_FILE).read();
    if (text === null) return null;
    const parsed = profileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.name;
    logger.warn('ignored a malformed profile', { file: PROFILE_FILE });
  } catch (err) {
    logger.warn('could not read the profile', { reason: errorText(err) });
  }
  return null;
}

/** Per data folder, the save in progress: saves go one after another, so the last name wins. */
const saving = new Map<string, Promise<void>>();

export function saveName(dataDir: string, name: string): Promise<void> {
  const write = (): Promise<void> =>
    ownerOnlyFile(dataDir, PROFILE_FILE).write(`${JSON.stringify({ name }, null, 2)}\n`);
  const previous = saving.get(dataDir) ?? Promise.resolve();
  const done = previous.catch(() => undefined).then(write);
  saving.set(dataDir, done);
  void done
    .finally(() => {
      if (saving.get(dataDir) === done) saving.delete(dataDir);
    })
    .catch(() => undefined);
  return done;
}

/**
 * Which name a node starts under: `--name` when given (what was asked for this run), else
 * the one chosen in the interface, else the default (the host name).
 */
export function startName(args: { name: string; nameGiven?: boolean }, stored: string | null) {
  return args.nameGiven === false && stored !== null ? stored : args.name;
}
