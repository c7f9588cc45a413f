/**
 * The call a soak runs: three real headless nodes in namespaces, test-pattern video, chat
 * from every member in the call, one member leaving and invited back, and what each sample
 * reads of them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HeadlessNode, NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode as Node } from '../helpers/json-lines-process.js';
import type { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import { median } from '../bench/table.js';
import { ProcessHealth } from '../../main/health.js';
import { waitUntil } from '../helpers/wait.js';
import { ChatLedger } from './chat-ledger.js';
import type { SoakOptions } from './options.js';
import type { ProcessFigures } from './probes.js';
import { childrenOf, readProcess } from './probes.js';
import type { MemberSample, Sample } from './report.js';

const NAMES = ['Ada', 'Bob', 'Cy'] as const;
/** How long the leaving member stays out before it is invited again. */
const OUT_MS = 5_000;
const MESH_TIMEOUT_MS = 30_000;
const HEALTH_TIMEOUT_MS = 5_000;

export interface Member {
  readonly name: string;
  readonly node: HeadlessNode;
  /** Steadily in the call: it chats, and chat is owed to it. */
  inCall: boolean;
  /** Events of the node read so far. */
  seen: number;
}

function sum(figures: (ProcessFigures | undefined)[]): ProcessFigures | undefined {
  const live = figures.filter((f): f is ProcessFigures => f !== undefined);
  if (live.length === 0) return undefined;
  return live.reduce((a, b) => ({
    pid: a.pid,
    rssBytes: a.rssBytes + b.rssBytes,
    fds: a.fds + b.fds,
  }));
}

export class SoakCall {
  readonly members: readonly Member[];
  readonly ledger = new ChatLedger();
  /** Per stream ("viewer ← sender"): every fps its viewer's `stats` showed, both in the call. */
  readonly streamFps = new Map<string, number[]>();
  /** Error events of the nodes, as "name: code message". */
  readonly errors: string[] = [];
  #windowFps = new Map<string, number[]>();
  /** The runner's own event loop, measured like the nodes': the control. */
  readonly #control = new ProcessHealth();
  #sequence = 0;

  private constructor(members: Member[]) {
    this.members = members;
  }

  static async start(network: TestNetwork, options: SoakOptions): Promise<SoakCall> {
    const video = patternVideo(options.resolution, options.fps);
    const nodes = await Promise.all(
      NAMES.map((name, i) =>
        Node.start({ name, host: network.hosts[i], autoAccept: i > 0, extraArgs: video }),
      ),
    );
    const call = new SoakCall(
      nodes.map((node, i) => ({ name: NAMES[i] ?? '', node, inCall: false, seen: 0 })),
    );
    const [inviter, ...invitees] = call.members;
    if (!inviter) throw new Error('soak: no members');
    for (const invitee of invitees) {
      await inviter.node.waitFor('peer-up', (e) => e.peer === invitee.node.id, 15_000);
      inviter.node.send({ cmd: 'invite', peer: invitee.node.id });
    }
    await call.#fullMesh();
    for (const member of call.members) member.inCall = true;
    return call;
  }

  get inviter(): Member {
    return this.#member(0);
  }

  /** The member that leaves and is invited back. */
  get leaver(): Member {
    return this.#member(NAMES.length - 1);
  }

  #member(index: number): Member {
    const member = this.members[index];
    if (!member) throw new Error(`soak: no member ${index}`);
    return member;
  }

  #nameOf(id: unknown): string | undefined {
    return this.members.find((m) => m.node.id === id)?.name;
  }

  /** Reads what the nodes reported since the last scan; throws if a node died. */
  scan(): void {
    for (const member of this.members) {
      const status = member.node.exitStatusNow;
      if (status) throw new Error(`soak: ${member.name} exited (${JSON.stringify(status)})`);
      const events = member.node.events;
      for (; member.seen < events.length; member.seen++) {
        const event = events[member.seen];
        if (event) this.#read(member, event);
      }
    }
  }

  #read(member: Member, event: NodeEvent): void {
    if (event.event === 'chat') {
      this.ledger.received(member.name, this.#nameOf(event.from) ?? '', String(event.text));
    } else if (event.event === 'error') {
      this.errors.push(`${member.name}: ${String(event.code)} ${String(event.message)}`);
    } else if (event.event === 'stats' && member.inCall) {
      for (const stream of event.members as { peer: string; fps: number }[]) {
        const sender = this.members.find((m) => m.node.id === stream.peer);
        if (!sender?.inCall) continue;
        const key = `${member.name} ← ${sender.name}`;
        for (const map of [this.streamFps, this.#windowFps]) {
          map.set(key, [...(map.get(key) ?? []), stream.fps]);
        }
      }
    }
  }

  /** One chat message from every member in the call, owed to the others in it. */
  chat(): void {
    const inCall = this.members.filter((m) => m.inCall);
    for (const member of inCall) {
      const text = `soak ${member.name} ${++this.#sequence}`;
      const owedTo = inCall.filter((m) => m !== member).map((m) => m.name);
      this.ledger.sent(text, member.name, owedTo);
      member.node.send({ cmd: 'chat', text });
    }
  }

  /** Waits (a bounded while) for every owed message involving `member` (all without it). */
  async drain(timeoutMs: number, member?: Member): Promise<void> {
    await waitUntil(
      () => {
        this.scan();
        return this.ledger.missing(member?.name) === 0;
      },
      { timeoutMs, intervalMs: 50, message: 'soak: chat still missing' },
    ).catch(() => undefined); // what is still missing is counted as lost
  }

  async sample(tMs: number): Promise<Sample> {
    this.scan();
    // At t=0 the delay window would be the few milliseconds since resetHealth: not asked.
    const members = await Promise.all(this.members.map((m) => this.#sampleMember(m, tMs > 0)));
    const medians = [...this.#windowFps.values()].map(median);
    this.#windowFps = new Map();
    return {
      tMs,
      members,
      minFps: medians.length > 0 ? Math.min(...medians) : null,
      chat: this.ledger.totals(),
      controlP99Ms: this.#control.report().eventLoopDelayP99Ms,
    };
  }

  async #sampleMember(member: Member, askHealth = true): Promise<MemberSample> {
    const { node } = member;
    let health: NodeEvent | undefined;
    if (askHealth) {
      const answer = node.waitForNext('health', undefined, HEALTH_TIMEOUT_MS);
      node.send({ cmd: 'health' });
      health = await answer.catch(() => undefined);
    }
    return {
      name: member.name,
      inCall: member.inCall,
      node: readProcess(node.pid),
      capture: sum(childrenOf(node.pid).map(readProcess)),
      delayP99Ms: health === undefined ? undefined : Number(health.eventLoopDelayP99Ms),
    };
  }

  /** Starts a fresh event-loop window on every node (the set-up is not the soak). */
  async resetHealth(): Promise<void> {
    await Promise.all(this.members.map((m) => this.#sampleMember(m)));
    this.#control.report();
  }

  close(): void {
    this.#control.close();
  }

  /**
   * The leaver says goodbye, stays out a few seconds and is invited back by the inviter.
   * Resolves false (and says why on stderr) when it did not get back in. Each step checks
   * the state it needs rather than trusting the previous cycle, so one failed rejoin does
   * not fail every later one.
   */
  async rejoin(): Promise<boolean> {
    const leaver = this.leaver;
    leaver.inCall = false;
    await this.drain(5_000, leaver);
    try {
      if ((await this.#view(leaver)).call !== null) {
        const ended = leaver.node.waitForNext('call-ended', undefined, 10_000);
        leaver.node.send({ cmd: 'leave' });
        await ended;
      }
      const others = this.members.filter((m) => m !== leaver);
      await this.#until('the others to see the leaver gone', async () => {
        const views = await Promise.all(others.map((m) => this.#view(m)));
        return views.every((view) => !view.listed.includes(leaver.node.id));
      });
      await sleep(OUT_MS);
      this.inviter.node.send({ cmd: 'invite', peer: leaver.node.id });
      await this.#fullMesh();
      leaver.inCall = true;
      return true;
    } catch (error: unknown) {
      process.stderr.write(`soak: ${leaver.name} did not rejoin: ${String(error)}\n`);
      return false;
    }
  }

  /** The call as `member` sees it: its id, and the peers listed and connected in it. */
  async #view(member: Member): Promise<{ call: unknown; listed: string[]; connected: string[] }> {
    const reply = member.node.waitForNext('members', undefined, 5_000);
    member.node.send({ cmd: 'members' });
    const event = await reply;
    const members = event.members as { peer: string; state: string }[];
    const present = members.filter((m) => m.state !== 'left');
    return {
      call: event.call,
      listed: present.map((m) => m.peer),
      connected: present.filter((m) => m.state === 'connected').map((m) => m.peer),
    };
  }

  /** Every node sees every other as a connected member of its call. */
  #fullMesh(): Promise<void> {
    return this.#until('all three members to link up', async () => {
      const views = await Promise.all(this.members.map((m) => this.#view(m)));
      return views.every((view) => view.connected.length === this.members.length - 1);
    });
  }

  /** Membership changes announce themselves per node; the whole mesh is a state to poll. */
  #until(what: string, condition: () => Promise<boolean>): Promise<void> {
    return waitUntil(condition, {
      timeoutMs: MESH_TIMEOUT_MS,
      intervalMs: 250,
      message: `soak: timed out waiting for ${what}`,
    });
  }
}
