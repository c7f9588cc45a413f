/**
 * What the soak reads of a process from outside, through /proc (Linux): resident memory,
 * open descriptors, and its child processes (the capture process of a node).
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessFigures {
  pid: number;
  rssBytes: number;
  fds: number;
}

/** RSS and descriptor count of `pid`, or undefined once it is gone. */
export function readProcess(pid: number): ProcessFigures | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    if (rss === undefined) return undefined; // a zombie has no memory left
    return { pid, rssBytes: Number(rss) * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** The parent pid from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(afterName[1]);
  } catch {
    return undefined;
  }
}

/** The live children of `pid` (scanning /proc needs no kernel option, unlike .../children). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => parentOf(child) === pid);
}

/** The command name of `pid` (/proc/<pid>/comm), or '' once it is gone. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
