import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MediaError } from '../media/errors.js';

/**
 * Makes a file to share Chromium-playable (issue #12): keep it byte for byte when Chromium
 * plays it as is, remux without re-encoding when only the container is the problem,
 * re-encode only the streams it cannot play. Facts measured with Debian's Chromium 156: it
 * plays H.264 + AAC in MP4, VP8/VP9, AV1, Opus, Vorbis, MP3, FLAC; not HEVC, AC-3 or
 * AVI/XviD. Debian's ffprobe/ffmpeg are spawned directly (scripts/bootstrap.sh installs them).
 */

export type PrepareDecision = 'keep' | 'remux' | 'transcode';

export interface ProbedStream {
  codec: string;
  profile?: string | undefined;
  level?: number | undefined;
  pixFmt?: string | undefined;
}

export interface Probe {
  /** ffprobe's format_name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2' or 'matroska,webm'. */
  container: string;
  duration: number;
  video: ProbedStream | null;
  audio: ProbedStream | null;
}

export interface Prepared {
  path: string;
  decision: PrepareDecision;
  mime: string;
  codecs: string;
  duration: number;
}

const PROBE_TIMEOUT_MS = 15_000;
const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';
const MP4_VIDEO = new Set(['h264', 'av1', 'vp9']);
const MP4_AUDIO = new Set(['aac', 'mp3', 'opus', 'flac']);
const WEBM_VIDEO = new Set(['vp8', 'vp9', 'av1']);
const WEBM_AUDIO = new Set(['opus', 'vorbis']);
/** 8-bit 4:2:0: what Chromium's H.264 decoders take (High 10 or 4:4:4 fail). */
const PLAYABLE_PIXELS = new Set(['yuv420p', 'yuvj420p']);

const probeSchema = z.object({
  format: z.object({ format_name: z.string(), duration: z.string().optional() }),
  streams: z.array(
    z.object({
      codec_type: z.string().optional(),
      codec_name: z.string().optional(),
      profile: z.string().optional(),
      level: z.number().optional(),
      pix_fmt: z.string().optional(),
      disposition: z.object({ attached_pic: z.number().optional() }).optional(),
    }),
  ),
});

export function probe(path: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  if (!existsSync(path)) {
    return Promise.reject(new MediaError('ERR_FILE_UNAVAILABLE', 'no such file to share'));
  }
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
  return new Promise((resolve, reject) => {
    execFile('ffprobe', args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout) => {
      if (error) {
        reject(
          new MediaError('ERR_BAD_SOURCE', `ffprobe could not read the file: ${error.message}`),
        );
        return;
      }
      const parsed = probeSchema.safeParse(safeJson(stdout));
      if (!parsed.success) {
        reject(new MediaError('ERR_BAD_SOURCE', 'ffprobe gave no usable description'));
        return;
      }
      const { format, streams } = parsed.data;
      const pick = (type: string): ProbedStream | null => {
        const s = streams.find(
          (x) => x.codec_type === type && x.codec_name && !x.disposition?.attached_pic,
        );
        return s?.codec_name
          ? { codec: s.codec_name, profile: s.profile, level: s.level, pixFmt: s.pix_fmt }
          : null;
      };
      const duration = Number(format.duration ?? '0');
      resolve({
        container: format.format_name,
        duration: Number.isFinite(duration) ? duration : 0,
        video: pick('video'),
        audio: pick('audio'),
      });
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const videoPlayable = (v: ProbedStream, codecs: Set<string>): boolean =>
  codecs.has(v.codec) && (v.codec !== 'h264' || PLAYABLE_PIXELS.has(v.pixFmt ?? ''));

/** What to do with a probed file, and per stream whether it can be copied into an MP4. */
export function decide(p: Probe): {
  decision: PrepareDecision;
  mime: string;
  copyVideo: boolean;
  copyAudio: boolean;
} {
  if (!p.video) throw new MediaError('ERR_BAD_SOURCE', 'the file has no video stream');
  const { video, audio } = p;
  const fits = (videoCodecs: Set<string>, audioCodecs: Set<string>): boolean =>
    videoPlayable(video, videoCodecs) && (!audio || audioCodecs.has(audio.codec));
  if (p.container === MP4 && fits(MP4_VIDEO, MP4_AUDIO)) {
    return { decision: 'keep', mime: 'video/mp4', copyVideo: true, copyAudio: true };
  }
  if (p.container === 'matroska,webm' && fits(WEBM_VIDEO, WEBM_AUDIO)) {
    return { decision: 'keep', mime: 'video/webm', copyVideo: true, copyAudio: true };
  }
  const copyVideo = videoPlayable(video, MP4_VIDEO);
  const copyAudio = !audio || MP4_AUDIO.has(audio.codec);
  const decision = copyVideo && copyAudio ? 'remux' : 'transcode';
  return { decision, mime: 'video/mp4', copyVideo, copyAudio };
}

/** RFC 6381 codec names, as a <video> or MSE would want them. */
export function codecsOf(video: ProbedStream | null, audio: ProbedStream | null): string {
  const names: string[] = [];
  if (video?.codec === 'h264') {
    const profiles: Record<string, string> = {
      Baseline: '4200',
      'Constrained Baseline': '42e0',
      Main: '4d00',
      High: '6400',
    };
    const level = (video.level ?? 31).toString(16).padStart(2, '0');
    names.push(`avc1.${profiles[video.profile ?? ''] ?? '6400'}${level}`);
  } else if (video) {
    names.push(video.codec === 'av1' ? 'av01' : video.codec);
  }
  if (audio?.codec === 'aac') names.push(audio.profile === 'HE-AAC' ? 'mp4a.40.5' : 'mp4a.40.2');
  else if (audio) names.push(audio.codec);
  return names.join(', ');
}

/**
 * Probes `path` and returns a playable file: the original (keep) or `<outDir>/prepared.mp4`
 * (remux: `-c copy`, or transcode: libx264 + AAC for the streams that need it; both with
 * faststart so playback can start before the whole file is there). Progress 0..100 comes
 * from ffmpeg's `-progress pipe:1`. Aborting `signal` kills ffmpeg.
 */
export async function prepareFile(o: {
  path: string;
  outDir: string;
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
}): Promise<Prepared> {
  const probed = await probe(o.path);
  const plan = decide(probed);
  if (plan.decision === 'keep') {
    const codecs = codecsOf(probed.video, probed.audio);
    return { path: o.path, decision: 'keep', mime: plan.mime, codecs, duration: probed.duration };
  }
  const out = join(o.outDir, 'prepared.mp4');
  const video = plan.copyVideo
    ? ['-c:v', 'copy']
    : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'];
  const audio = plan.copyAudio ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '160k'];
  await runFfmpeg(
    [
      ...['-hide_banner', '-nostats', '-v', 'error', '-y', '-i', o.path],
      ...['-map', '0:v:0', '-map', '0:a:0?', ...video, ...audio, '-sn', '-dn'],
      ...['-movflags', '+faststart', '-progress', 'pipe:1', out],
    ],
    probed.duration,
    o.onProgress,
    o.signal,
  );
  const result = await probe(out);
  if (statSync(out).size === 0 || !result.video) {
    throw new MediaError('ERR_BAD_SOURCE', 'ffmpeg produced no playable file');
  }
  const codecs = codecsOf(result.video, result.audio);
  return {
    path: out,
    decision: plan.decision,
    mime: 'video/mp4',
    codecs,
    duration: result.duration,
  };
}

function runFfmpeg(
  args: string[],
  duration: number,
  onProgress: ((percent: number) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let errors = '';
    let pending = '';
    let last = -1;
    child.stderr.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-2000);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // out_time_us is microseconds of output written so far; `progress=end` closes.
        const match = /^out_time_us=(\d+)/.exec(line);
        const done = line.startsWith('progress=end');
        if (!match && !done) continue;
        const seconds = match ? Number(match[1]) / 1e6 : duration;
        const percent = done ? 100 : Math.min(99, Math.floor((seconds / (duration || 1)) * 100));
        if (percent > last) {
          last = percent;
          onProgress?.(percent);
        }
      }
    });
    child.on('error', (error) =>
      reject(new MediaError('ERR_BAD_SOURCE', `ffmpeg failed: ${error.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new MediaError('ERR_BAD_SOURCE', `ffmpeg exited with ${code}: ${errors.trim()}`));
    });
  });
}
