/**
 * A slow member: a token-bucket (tbf) rate limit on one test host's traffic, both ways — on its
 * eth0 (what it sends) and on its port of the switch (what it receives).
 */
import type { TestHost, TestNetwork } from './hosts.js';
import { runInNamespace } from './processes.js';

/** `rate` in tc's syntax, e.g. '6mbit' or '500kbit'. Replaces any root qdisc there. */
export async function limitHostRate(
  network: TestNetwork,
  host: TestHost,
  rate: string,
): Promise<void> {
  const tbf = ['root', 'tbf', 'rate', rate, 'burst', '32kb', 'latency', '100ms'];
  await host.run('tc', ['qdisc', 'replace', 'dev', 'eth0', ...tbf]);
  const port = `p${network.hosts.indexOf(host)}`;
  await runInNamespace(network.switchName, 'tc', ['qdisc', 'replace', 'dev', port, ...tbf]);
}
