/**
 * The Electron preload: the only code that touches ipcRenderer, and it never hands it (or
 * an IpcRendererEvent) to the page. It runs sandboxed, so it is bundled to CommonJS
 * (scripts/build-electron.mjs) and loads nothing but 'electron'.
 */
import type { IpcRendererEvent } from 'electron';
import { contextBridge, ipcRenderer } from 'electron';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import {
  IPC_COMMAND,
  IPC_EVENT,
  IPC_FRAME,
  IPC_HELLO,
  IPC_MIC,
  IPC_PICK_VIDEO,
  IPC_SAVE_CHAT,
  IPC_VOICE,
} from './ipc-channels.js';
import type { MeshcallPreloadApi } from './preload-api.js';

let greeted = false;

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  const wrapped = (_event: IpcRendererEvent, value: T): void => listener(value);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.off(channel, wrapped);
  };
}

const api: MeshcallPreloadApi = {
  send(message) {
    ipcRenderer.send(IPC_COMMAND, message);
  },
  onMessage(listener) {
    const unsubscribe = subscribe<ServerMessage>(IPC_EVENT, listener);
    // The main process greets a page once it listens, so nothing sent before is lost.
    if (!greeted) {
      greeted = true;
      ipcRenderer.send(IPC_HELLO);
    }
    return unsubscribe;
  },
  onFrame(listener) {
    return subscribe<Uint8Array>(IPC_FRAME, listener);
  },
  onVoice(listener) {
    return subscribe<Uint8Array>(IPC_VOICE, listener);
  },
  sendMic(bytes) {
    // Only bytes cross: anything else the page passes would be cloned into the main process.
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    ipcRenderer.send(IPC_MIC, bytes);
  },
  async pickVideoFile(labels) {
    const { videos, all } = labels;
    const picked: unknown = await ipcRenderer.invoke(IPC_PICK_VIDEO, { videos, all });
    return typeof picked === 'string' && picked.length > 0 ? picked : null;
  },
  saveChat(request) {
    // Only these three strings cross; the main process validates them again.
    const { format, text, kind } = request;
    return ipcRenderer.invoke(IPC_SAVE_CHAT, { format, text, kind }) as ReturnType<
      MeshcallPreloadApi['saveChat']
    >;
  },
};

contextBridge.exposeInMainWorld('meshcall', api);
