import assert from 'node:assert/strict';
import type { FrameMeta } from '../../p2p/media/frame.js';
import {
  DecodableChains,
  KEYFRAME_REASK_ON_EVIDENCE_MS,
} from '../../p2p/media/decodable-chains.js';
import { waitUntil } from '../helpers/wait.js';

function meta(frameNumber: number, keyframe = false, stream = 0): FrameMeta {
  return {
    stream,
    frameNumber,
    captureTs: 1_700_000_000_000 + frameNumber,
    width: 640,
    height: 480,
    codec: 'h264',
    keyframe,
  };
}

describe('DecodableChains: which frames a decoder can take, and keyframe requests', () => {
  const chains: DecodableChains[] = [];
  afterEach(() => {
    for (const chain of chains.splice(0)) chain.close();
  });

  /** Long repeat: only the evidence rule re-asks within a test unless it wants the timer. */
  function make(repeatMs = 60_000): { chain: DecodableChains; requests: number[] } {
    const chain = new DecodableChains(['h264', 'jpeg'], repeatMs);
    chains.push(chain);
    const requests: number[] = [];
    chain.on('request', (stream) => requests.push(stream));
    return { chain, requests };
  }

  it('takes a keyframe and the deltas that follow it; a gap breaks the chain and asks once', () => {
    const { chain, requests } = make();
    const t = Date.now();
    assert.equal(chain.accept(meta(1, true), t), true);
    assert.equal(chain.accept(meta(2), t + 33), true);
    assert.equal(chain.accept(meta(4), t + 99), false, 'frame 3 was lost');
    assert.deepEqual(requests, [0]);
    assert.equal(chain.accept(meta(5), t + 132), false, 'nothing decodes until a keyframe');
    assert.equal(chain.undecodable, 2);
    assert.equal(chain.accept(meta(6, true), t + 165), true);
    assert.equal(chain.accept(meta(7), t + 198), true);
    assert.equal(chain.requested, 1);
  });

  it('asks again when undecodable deltas keep coming well after the request', () => {
    const { chain, requests } = make();
    const t = Date.now();
    chain.accept(meta(1, true), t);
    chain.accept(meta(3), t + 66);
    assert.equal(requests.length, 1);
    // Within the window the request may still be answered: no second ask.
    chain.accept(meta(4), t + 66 + KEYFRAME_REASK_ON_EVIDENCE_MS - 1);
    assert.equal(requests.length, 1);
    // Past it, the request or its keyframe was lost.
    chain.accept(meta(5), t + 66 + KEYFRAME_REASK_ON_EVIDENCE_MS);
    assert.equal(requests.length, 2);
    chain.accept(meta(6), t + 66 + KEYFRAME_REASK_ON_EVIDENCE_MS + 10);
    assert.equal(requests.length, 2, 'and then waits again');
  });

  it('asks again on its timer when nothing arrives, and stops after a keyframe', async () => {
    const { chain, requests } = make(40);
    chain.accept(meta(1, true), Date.now());
    chain.accept(meta(3), Date.now());
    await waitUntil(() => requests.length >= 3, { timeoutMs: 2000, message: 'timer re-asks' });
    chain.accept(meta(9, true), Date.now());
    const asked = requests.length;
    // An absence can only be waited for: three of the timer's periods.
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(requests.length, asked, 'no request after the keyframe');
  });

  it('refuses a codec it cannot decode without asking (asking would not change it)', () => {
    const chain = new DecodableChains(['jpeg'], 60_000);
    chains.push(chain);
    let asked = 0;
    chain.on('request', () => asked++);
    assert.equal(chain.accept(meta(1, true), Date.now()), false);
    assert.equal(chain.undecodable, 1);
    assert.equal(asked, 0);
  });
});
