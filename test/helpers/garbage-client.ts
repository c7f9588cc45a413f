/**
 * Throws junk at a signaling port and reports when the node hangs up:
 * `node dist/test/helpers/garbage-client.js HOST PORT`. Prints `closed` on stdout.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

const [host, port] = process.argv.slice(2);
const socket = net.connect(Number(port), host ?? '127.0.0.1', () => {
  // A frame of an unknown kind, then noise.
  socket.write(Buffer.from([0, 0, 0, 5, 9, 9, 9, 9, 9]));
  socket.write(randomBytes(4096));
});
// Read (and drop) what the node answers: a paused socket never sees the hang-up.
socket.resume();
socket.on('error', (error) => process.stderr.write(`socket error: ${error.message}\n`));
socket.on('close', () => process.stdout.write('closed\n', () => process.exit(0)));
