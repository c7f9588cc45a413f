/**
 * Delay, jitter and loss on a TestHost's egress (`TestHost.setNetem`), and the capability checks
 * that decide how: the netem qdisc when the kernel has it, and otherwise an iptables NFQUEUE rule
 * feeding test/tools/nfq-delay (see ../nfq-delay.ts).
 */
import { NfqueueImpairment } from '../nfq-delay.js';
import type { TestHost } from './hosts.js';
import { withProbeNamespace } from './namespaces.js';
import { CommandError, findExecutable, ip, locateExecutable, words } from './processes.js';

export interface NetemOptions {
  /** Percentage (0-100) of packets leaving the host's eth0 that are dropped. */
  lossPercent?: number;
  /** Extra delay on packets leaving the host's eth0. */
  delayMs?: number;
  /** Random variation of the delay (uniform within +-jitterMs; may reorder packets). */
  jitterMs?: number;
}

/** Thrown by setNetem when the kernel has neither the netem qdisc nor iptables NFQUEUE. */
export class NetemUnsupportedError extends Error {
  override readonly name = 'NetemUnsupportedError';
}

const TC = findExecutable('tc');

let netemProbe: Promise<boolean> | undefined;

/** Whether the kernel has the netem qdisc (needed for delay and jitter). */
export function netemSupported(): Promise<boolean> {
  netemProbe ??= withProbeNamespace(async (name) => {
    try {
      await ip(['netns', 'exec', name, TC, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem']);
      return true;
    } catch (error: unknown) {
      if (isUnknownQdisc(error)) return false;
      throw error;
    }
  });
  return netemProbe;
}

function isUnknownQdisc(error: unknown): boolean {
  return error instanceof CommandError && /qdisc kind is unknown|Unknown qdisc/i.test(error.stderr);
}

export type NfqueueCheck = { ok: true; iptables: string[] } | { ok: false; reason: string };
let nfqueueProbe: Promise<NfqueueCheck> | undefined;

/**
 * Whether a namespace can get an iptables NFQUEUE rule (the path setNetem takes without netem),
 * and with which iptables-legacy binaries: IPv4, plus IPv6 when that works too. Legacy only
 * because the kernel's nftables may lack nft_queue. Rejects, naming the Debian package, when
 * iptables-legacy is not installed: that is a setup error, not a kernel limitation.
 */
export function checkNfqueue(): Promise<NfqueueCheck> {
  nfqueueProbe ??= withProbeNamespace(async (name): Promise<NfqueueCheck> => {
    const ipv4 = locateExecutable('iptables-legacy');
    if (ipv4 === undefined) {
      throw new Error(
        'iptables-legacy is not installed (Debian package iptables; scripts/bootstrap.sh ' +
          'installs it); setNetem needs it because this kernel has no sch_netem',
      );
    }
    const usable: string[] = [];
    for (const binary of [ipv4, locateExecutable('ip6tables-legacy')]) {
      if (binary === undefined) continue;
      try {
        await ip([
          ...words(`netns exec ${name} ${binary} -A OUTPUT -o lo -j NFQUEUE`),
          ...words('--queue-num 1 --queue-bypass'),
        ]);
        usable.push(binary);
      } catch (error: unknown) {
        if (!(error instanceof CommandError)) throw error;
        if (binary === ipv4) return { ok: false, reason: error.message };
      }
    }
    return { ok: true, iptables: usable };
  }).catch((error: unknown) => {
    nfqueueProbe = undefined;
    throw error;
  });
  return nfqueueProbe;
}

/** The impairment of one host's eth0 egress; owned by that host. */
export class EgressImpairment {
  private nfqueue: Promise<NfqueueImpairment> | undefined;

  /** `assertOpen` throws once the host's network is closed. */
  constructor(
    private readonly host: TestHost,
    private readonly assertOpen: () => void,
  ) {}

  /** See TestHost.setNetem. */
  async set(options: NetemOptions | null): Promise<void> {
    const loss = options?.lossPercent ?? 0;
    const delay = options?.delayMs ?? 0;
    const jitter = options?.jitterMs ?? 0;
    for (const [key, value] of Object.entries({
      lossPercent: loss,
      delayMs: delay,
      jitterMs: jitter,
    })) {
      if (!Number.isFinite(value) || value < 0)
        throw new RangeError(`setNetem: ${key} must be >= 0`);
    }
    if (loss > 100) throw new RangeError('setNetem: lossPercent must be <= 100');

    if (await netemSupported()) {
      if (options === null) {
        await this.clearQdisc();
        return;
      }
      const args = ['qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', 'limit', '100000'];
      if (delay > 0 || jitter > 0)
        args.push('delay', `${delay}ms`, ...(jitter > 0 ? [`${jitter}ms`] : []));
      if (loss > 0) args.push('loss', `${loss}%`);
      await this.tc(args);
      return;
    }
    const impaired = loss > 0 || delay > 0 || jitter > 0;
    // Removing what was never installed must work even where NFQUEUE does not (afterEach hooks).
    if (!impaired && this.nfqueue === undefined) return;
    this.nfqueue ??= this.createNfqueue().catch((error: unknown) => {
      this.nfqueue = undefined;
      throw error;
    });
    const nfqueue = await this.nfqueue;
    await nfqueue.set(impaired ? { lossPercent: loss, delayMs: delay, jitterMs: jitter } : null);
  }

  private tc(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    this.assertOpen();
    return ip(['netns', 'exec', this.host.name, TC, ...args], `host ${this.host.name}`);
  }

  private async clearQdisc(): Promise<void> {
    try {
      await this.tc(['qdisc', 'del', 'dev', 'eth0', 'root']);
    } catch (error: unknown) {
      // Deleting the default qdisc fails; that means there was nothing to remove.
      if (!(
        error instanceof CommandError &&
        /handle of zero|No such file|Invalid handle/i.test(error.stderr)
      )) {
        throw error;
      }
    }
  }

  private async createNfqueue(): Promise<NfqueueImpairment> {
    const check = await checkNfqueue();
    if (!check.ok) {
      throw new NetemUnsupportedError(
        `setNetem on ${this.host.name}: this kernel has neither the netem qdisc ` +
          `(CONFIG_NET_SCH_NETEM) nor a working iptables NFQUEUE target ` +
          `(CONFIG_NETFILTER_XT_TARGET_NFQUEUE, CONFIG_NETFILTER_NETLINK_QUEUE): ${check.reason}`,
      );
    }
    return new NfqueueImpairment(this.host, check.iptables);
  }
}
