import { claim, portFree } from './claims';

/** Claims this process holds until it exits, so that no other test file is handed the same port. */
const held: Array<() => void> = [];
let releaseOnExit = false;

/**
 * A TCP port on 127.0.0.1 for a server under test, free now and claimed for this process. It comes
 * from 10000..19999, below Linux's ephemeral range (32768-60999) and the labs' base ports
 * (20000..31999): a port the OS picked with port 0 is soon handed again to some client's
 * connection or another test's listener, so a server started a moment later could find it taken
 * (EADDRINUSE); these ports are handed to nobody else until the server binds them.
 */
export async function freePort(): Promise<number> {
  if (!releaseOnExit) {
    releaseOnExit = true;
    process.once('exit', () => held.forEach((release) => release()));
  }
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    const release = claim(`port-${port}`);
    if (!release) continue;
    if (await portFree('127.0.0.1', port)) {
      held.push(release);
      return port;
    }
    release();
  }
  throw new Error('no free port on 127.0.0.1 in 10000..19999');
}
