/** What each way a video source can fail says to people (protocol/camera-api.ts reasons). */
import type { SourceFailureReason } from '../../protocol/camera-api.js';
import type { MessageId } from '../i18n/catalog.js';

export const FAILURE_TEXT: Record<SourceFailureReason, { title: MessageId; hint: MessageId }> = {
  'camera-not-found': { title: 'camera.failed.title', hint: 'camera.failed.notFound' },
  'camera-unavailable': { title: 'camera.failed.title', hint: 'camera.failed.unavailable' },
  'camera-stopped': { title: 'camera.failed.stopped.title', hint: 'camera.failed.stopped' },
  'file-unavailable': { title: 'camera.failed.file.title', hint: 'camera.failed.file' },
  'opencv-unavailable': { title: 'camera.failed.opencv.title', hint: 'camera.failed.opencv' },
  'capture-failed': { title: 'camera.failed.other.title', hint: 'camera.failed.other' },
};
