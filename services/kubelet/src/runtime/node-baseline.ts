import { spawn } from 'node:child_process';
import { NODE_FLAGS } from './command';
import { procConstants, readProcStat } from './proc-stat';

const cache = new Map<string, Promise<number>>();

/**
 * The fixed memory of the Node.js runtime itself: the RSS of an idle `node --max-semi-space-size=1`
 * (V8, its heap at start-up, ICU, libuv). A 'node' container is charged its RSS minus this, the
 * way a small native image would be counted; so a 10Mi limit holds an idle hello-server while a
 * program that keeps memory still dies at its limit. Measured once per node binary and process
 * (~40 MB on Node 20; the measurement takes ~150 ms).
 */
export function nodeBaselineBytes(nodePath = process.execPath): Promise<number> {
  let measured = cache.get(nodePath);
  if (!measured) {
    measured = measure(nodePath);
    cache.set(nodePath, measured);
  }
  return measured;
}

async function measure(nodePath: string): Promise<number> {
  const child = spawn(nodePath, [...NODE_FLAGS, '-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 1 << 30)"], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: {},
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', () => reject(new Error('the idle node process exited')));
      child.stdout.once('data', () => resolve());
    });
    const { pageSize } = procConstants();
    // Settle: the RSS grows for a few ms after start-up, then stays.
    let last = 0;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 15));
      const rss = (readProcStat(child.pid!)?.rssPages ?? 0) * pageSize;
      if (rss > 0 && rss === last) return rss;
      last = rss;
    }
    return last;
  } finally {
    child.kill('SIGKILL');
  }
}
