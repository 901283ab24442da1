import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const LOCKS = path.join(os.tmpdir(), 'kubelab-testkit-claims');

/**
 * Claims a name across the processes of a test run (an exclusive file holding our pid); a claim
 * whose process died is taken over. Returns the release, or undefined when someone else holds it.
 */
export function claim(name: string): (() => void) | undefined {
  fs.mkdirSync(LOCKS, { recursive: true });
  const file = path.join(LOCKS, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch {
      const owner = Number(readOwner(file));
      if (owner === process.pid || (owner && alive(owner))) return undefined;
      fs.rmSync(file, { force: true });
    }
  }
  return undefined;
}

function readOwner(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether nothing listens on host:port right now. */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
