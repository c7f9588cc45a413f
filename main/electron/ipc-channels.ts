/**
 * IPC channel names shared by the Electron main process and the preload. Kept free of
 * imports: the sandboxed preload bundles it and may load nothing but 'electron'.
 */
export const IPC_COMMAND = 'meshcall:command';
export const IPC_EVENT = 'meshcall:event';
export const IPC_FRAME = 'meshcall:frame';
/** Main → preload: one member's voice packet (protocol/ui-frames.ts kind 3). */
export const IPC_VOICE = 'meshcall:voice';
/** Preload → main: one microphone packet (kind 4). */
export const IPC_MIC = 'meshcall:mic';
/** Preload → main: the page listens now; send the greeting (again, after a reload). */
export const IPC_HELLO = 'meshcall:hello';
/** Preload → main (invoke): show the file dialog; answers a video file's path or null. */
export const IPC_PICK_VIDEO = 'meshcall:pick-video';
/** Page → main (invoke): save a chat export through the save dialog; answers a SaveChatResult. */
export const IPC_SAVE_CHAT = 'meshcall:save-chat';
