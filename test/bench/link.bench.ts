import { PeerConnection } from 'node-datachannel';
import type { DataChannel, DataChannelInitConfig } from 'node-datachannel';
import type { BenchRow } from './table.js';

const MESSAGE_BYTES = 16 * 1024;
const DURATION_MS = 3000;
const MAX_BYTES = 100 * 1024 * 1024;
/** A few MB in flight keeps SCTP's window full without queueing seconds of data. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;
const OPEN_TIMEOUT_MS = 10_000;
/** A run that has not finished this long after it stopped sending is hung, not slow. */
const FINISH_TIMEOUT_MS = 30_000;
/**
 * On a lossy channel, missing messages never announce themselves: once the sender's queue
 * is empty, this long without a message means the rest was lost.
 */
const LOSSY_QUIET_MS = 300;
const CLOSE_TIMEOUT_MS = 5000;
const TARGET_MB_S = 30;

interface LinkRun {
  megabytesPerSecond: number;
  lossPercent: number;
}

type ChannelOptions = Omit<DataChannelInitConfig, 'negotiated' | 'id'>;

/**
 * Raw data-channel throughput between two PeerConnections in this process over loopback
 * ICE: the ceiling for what one link can carry before sealing and chunking.
 */
export async function linkBench(): Promise<BenchRow[]> {
  const reliable = await runLink({});
  const lossy = await runLink({ unordered: true, maxRetransmits: 0 });
  return [
    {
      suite: 'link',
      metric: 'throughput, 16 KiB messages, loopback',
      value: reliable.megabytesPerSecond,
      unit: 'MB/s',
      target: `≥ ${TARGET_MB_S}`,
      met: reliable.megabytesPerSecond >= TARGET_MB_S,
    },
    {
      suite: 'link',
      metric: 'throughput, 16 KiB messages, loopback, unordered maxRetransmits 0',
      value: lossy.megabytesPerSecond,
      unit: 'MB/s',
      target: '',
      met: null,
    },
    {
      suite: 'link',
      metric: 'loss, 16 KiB messages, loopback, unordered maxRetransmits 0',
      value: lossy.lossPercent,
      unit: '%',
      target: '',
      met: null,
    },
  ];
}

async function runLink(options: ChannelOptions): Promise<LinkRun> {
  const link = new LoopbackLink(options);
  try {
    return await link.measure();
  } finally {
    await link.close();
  }
}

/**
 * Two PeerConnections with one pre-negotiated channel between them. node-datachannel closes
 * a PeerConnection or DataChannel whose JS object is garbage collected, so this object holds
 * all four until close().
 */
class LoopbackLink {
  readonly #offerer: PeerConnection;
  readonly #answerer: PeerConnection;
  readonly #sender: DataChannel;
  readonly #receiver: DataChannel;
  readonly #reliable: boolean;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #channelsClosed: Promise<unknown>;
  readonly #connectionsClosed: Promise<unknown>;
  #fail: (err: Error) => void = () => {};

  constructor(options: ChannelOptions) {
    this.#reliable =
      options.maxRetransmits === undefined && options.maxPacketLifeTime === undefined;
    const config = { iceServers: [], disableAutoNegotiation: true };
    this.#offerer = new PeerConnection('bench-offerer', config);
    this.#answerer = new PeerConnection('bench-answerer', config);
    const channel = { ...options, negotiated: true, id: 0 };
    this.#sender = this.#offerer.createDataChannel('bench', channel);
    this.#receiver = this.#answerer.createDataChannel('bench', channel);
    // Each native wrapper keeps the event loop alive until its close event has been
    // delivered: waiting for them in close() is what lets the process exit by itself.
    this.#channelsClosed = Promise.all(
      [this.#sender, this.#receiver].map((c) => new Promise<void>((done) => c.onClosed(done))),
    );
    this.#connectionsClosed = Promise.all(
      [this.#offerer, this.#answerer].map(
        (pc) =>
          new Promise<void>((done) =>
            pc.onStateChange(
              this.#guard('state', (state: string) => {
                if (state === 'closed') done();
                if (state === 'failed') this.#fail(new Error('peer connection failed'));
              }),
            ),
          ),
      ),
    );
  }

  measure(): Promise<LinkRun> {
    return new Promise<LinkRun>((resolve, reject) => {
      let settled = false;
      this.#fail = (err) => {
        if (settled) return;
        settled = true;
        reject(new Error(`link bench: ${err.message}`, { cause: err }));
      };
      const succeed = (): void => {
        if (settled) return;
        settled = true;
        const seconds = (lastReceivedAt - startedAt) / 1000;
        resolve({
          megabytesPerSecond: seconds > 0 ? receivedBytes / 1e6 / seconds : 0,
          lossPercent: sent > 0 ? (100 * (sent - received)) / sent : 0,
        });
      };

      const sender = this.#sender;
      const payload = new Uint8Array(MESSAGE_BYTES).fill(0xa5);
      let open = 0;
      let startedAt = 0;
      let sent = 0;
      let sendingDone = false;
      let received = 0;
      let receivedBytes = 0;
      let lastReceivedAt = 0;
      let quietTimer: NodeJS.Timeout | null = null;

      const maybeDone = (): void => {
        if (!sendingDone) return;
        if (received >= sent) {
          succeed();
        } else if (!this.#reliable && sender.bufferedAmount() === 0) {
          if (quietTimer) this.#clear(quietTimer);
          quietTimer = this.#later(LOSSY_QUIET_MS, succeed);
        }
      };

      const pump = (): void => {
        while (!sendingDone && sender.bufferedAmount() < HIGH_WATER_BYTES) {
          if (performance.now() - startedAt >= DURATION_MS || sent * MESSAGE_BYTES >= MAX_BYTES) {
            sendingDone = true;
            // Now fires when the queue is empty, which is when a lossy run waits for quiet.
            sender.setBufferedAmountLowThreshold(0);
            this.#later(FINISH_TIMEOUT_MS, () =>
              this.#fail(new Error(`${received}/${sent} messages arrived`)),
            );
            break;
          }
          // false means "queued", not "failed": bufferedAmount is what holds us back.
          sender.sendMessageBinary(payload);
          sent++;
        }
        maybeDone();
      };

      const onOpen = (): void => {
        if (++open < 2) return;
        startedAt = performance.now();
        pump();
      };

      this.#later(OPEN_TIMEOUT_MS, () => {
        if (open < 2) this.#fail(new Error('channels did not open'));
      });
      sender.setBufferedAmountLowThreshold(LOW_WATER_BYTES);
      sender.onBufferedAmountLow(this.#guard('buffered amount low', pump));
      for (const channel of [sender, this.#receiver]) {
        channel.onOpen(this.#guard('open', onOpen));
        channel.onError(this.#guard('error', (err: string) => this.#fail(new Error(err))));
      }
      this.#receiver.onMessage(
        this.#guard('message', (message: string | Buffer | ArrayBuffer) => {
          received++;
          receivedBytes += typeof message === 'string' ? message.length : message.byteLength;
          lastReceivedAt = performance.now();
          maybeDone();
        }),
      );
      this.#connect();
    });
  }

  /** Best effort: a close event that never comes must not hang the bench. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const channel of [this.#sender, this.#receiver]) closeQuietly(channel);
    await this.#within(this.#channelsClosed, CLOSE_TIMEOUT_MS);
    for (const pc of [this.#offerer, this.#answerer]) closeQuietly(pc);
    await this.#within(this.#connectionsClosed, CLOSE_TIMEOUT_MS);
  }

  /** Descriptions go out once gathering is complete, candidates inside, as PeerLink does. */
  #connect(): void {
    const offerer = this.#offerer;
    const answerer = this.#answerer;
    offerer.onGatheringStateChange(
      this.#guard('offerer gathering', (state: string) => {
        const offer = state === 'complete' ? offerer.localDescription() : null;
        if (!offer) return;
        answerer.setRemoteDescription(offer.sdp, 'offer');
        answerer.setLocalDescription('answer');
      }),
    );
    answerer.onGatheringStateChange(
      this.#guard('answerer gathering', (state: string) => {
        const answer = state === 'complete' ? answerer.localDescription() : null;
        if (answer) offerer.setRemoteDescription(answer.sdp, 'answer');
      }),
    );
    this.#guard('offer', () => offerer.setLocalDescription('offer'))();
  }

  /** An exception thrown inside a node-datachannel callback aborts the process. */
  #guard<A extends unknown[]>(what: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        fn(...args);
      } catch (err) {
        this.#fail(new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`));
      }
    };
  }

  #later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#guard('timer', fn)();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #clear(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  async #within(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((done) => (timer = setTimeout(done, ms)));
    await Promise.race([promise, timeout]);
    clearTimeout(timer);
  }
}

function closeQuietly(closable: { close(): void }): void {
  try {
    closable.close();
  } catch {
    // Already closed natively: nothing left to release.
  }
}
