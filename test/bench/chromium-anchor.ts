/**
 * The anchor for the `codec` suite: Chromium's own WebRTC sending the same natural clip,
 * its fake camera reading the Y4M, over an RTCPeerConnection pair in one page (loopback,
 * no loss). Figures from the receiver's getStats() (inbound-rtp) over MEASURE_MS, after the
 * first decoded frame: bandwidth estimation's ramp is part of what a real call sees too.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../ui/chromium-in-netns.js';
import { codecRow, pendingRow } from './codec-rows.js';
import type { BenchRow } from './table.js';

const MEASURE_MS = 10_000;

interface Inbound {
  at: number;
  bytes: number;
  frames: number;
  width: number;
  height: number;
  codec: string;
}

export async function chromiumAnchorRows(clip: { path: string }): Promise<BenchRow[]> {
  try {
    accessSync(CHROMIUM, fsConstants.X_OK);
  } catch {
    return [pendingRow(`Chromium anchor: ${CHROMIUM} is missing (apt-get install chromium)`)];
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${clip.path}`,
    ],
    headless: true,
    timeout: 60_000,
  });
  try {
    const [first, last] = await loopbackStats(browser);
    const seconds = (last.at - first.at) / 1000;
    const name = `Chromium WebRTC ${last.codec} ${last.width}×${last.height}, same clip`;
    return [
      codecRow(`${name}: stream`, ((last.bytes - first.bytes) * 8) / seconds / 1000, 'kb/s'),
      codecRow(`${name}: frames decoded`, (last.frames - first.frames) / seconds, 'fps'),
    ];
  } finally {
    await browser.close();
  }
}

/**
 * Runs in the page. Plain JavaScript because the root tsconfig has no DOM lib; what it
 * returns is checked on this side.
 */
const PAGE_SCRIPT = `async (measureMs) => {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480, frameRate: 30 },
  });
  const sender = new RTCPeerConnection();
  const receiver = new RTCPeerConnection();
  sender.onicecandidate = (e) => e.candidate && receiver.addIceCandidate(e.candidate);
  receiver.onicecandidate = (e) => e.candidate && sender.addIceCandidate(e.candidate);
  const track = new Promise((resolve) => { receiver.ontrack = (e) => resolve(e.track); });
  for (const t of stream.getTracks()) sender.addTrack(t, stream);
  await sender.setLocalDescription();
  await receiver.setRemoteDescription(sender.localDescription);
  await receiver.setLocalDescription();
  await sender.setRemoteDescription(receiver.localDescription);
  // A sink, so the received track is rendered as in a call.
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream([await track]);
  document.body.append(video);
  await video.play();
  const inbound = async () => {
    const report = await receiver.getStats();
    let found = null;
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      const codec = report.get(s.codecId);
      found = {
        at: performance.now(),
        bytes: s.bytesReceived ?? 0,
        frames: s.framesDecoded ?? 0,
        width: s.frameWidth ?? 0,
        height: s.frameHeight ?? 0,
        codec: (codec?.mimeType ?? '?').replace('video/', ''),
      };
    });
    return found;
  };
  const deadline = performance.now() + 20000;
  let first = await inbound();
  while (first === null || first.frames === 0) {
    if (performance.now() > deadline) throw new Error('Chromium loopback decoded no frame');
    await new Promise((resolve) => setTimeout(resolve, 100));
    first = await inbound();
  }
  await new Promise((resolve) => setTimeout(resolve, measureMs));
  const last = await inbound();
  for (const t of stream.getTracks()) t.stop();
  sender.close();
  receiver.close();
  return [first, last];
}`;

async function loopbackStats(browser: Browser): Promise<[Inbound, Inbound]> {
  // getUserMedia wants a secure context: http://127.0.0.1 is one, about:blank is not.
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>codec anchor</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let result: unknown;
  try {
    const { port } = server.address() as AddressInfo;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    result = await page.evaluate(`(${PAGE_SCRIPT})(${MEASURE_MS})`);
  } finally {
    server.close();
  }
  if (!Array.isArray(result) || !isInbound(result[0]) || !isInbound(result[1])) {
    throw new Error(`Chromium loopback gave unexpected stats: ${JSON.stringify(result)}`);
  }
  return [result[0], result[1]];
}

function isInbound(value: unknown): value is Inbound {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    ['at', 'bytes', 'frames', 'width', 'height'].every((key) => typeof v[key] === 'number') &&
    typeof v.codec === 'string'
  );
}
