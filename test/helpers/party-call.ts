/** A call of headless nodes for watch party tests and benchmarks, each on its own host. */
import type { HeadlessNode as Node } from './json-lines-process.js';
import { HeadlessNode } from './json-lines-process.js';
import type { TestNetwork } from './netns/hosts.js';
import { patternVideo } from './snapshots.js';

/**
 * Starts one node per name (small pattern video, so the pieces have the links to themselves),
 * each inviting the next; resolves once the first sees every other member joined.
 */
export async function startPartyCall(network: TestNetwork, names: string[]): Promise<Node[]> {
  const nodes = await Promise.all(
    names.map((name, i) =>
      HeadlessNode.start({
        name,
        host: network.hosts[i],
        autoAccept: i > 0,
        extraArgs: patternVideo('320x240', 10),
      }),
    ),
  );
  for (const node of nodes) {
    for (const other of nodes) {
      if (other !== node) await node.waitFor('peer-up', (e) => e.peer === other.id, 10_000);
    }
  }
  for (let i = 1; i < nodes.length; i++) {
    const [inviter, invitee] = [nodes[i - 1], nodes[i]] as [HeadlessNode, HeadlessNode];
    inviter.send({ cmd: 'invite', peer: invitee.id });
    await invitee.waitFor('call-joined');
  }
  const first = nodes[0] as HeadlessNode;
  for (const node of nodes.slice(1)) {
    await first.waitFor('member-joined', (e) => e.peer === node.id, 15_000);
  }
  return nodes;
}
