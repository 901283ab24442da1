import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor, type Logger } from '@kubelab/component-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCompactor } from './compactor';
import { Backend, Bucket } from './mvcc/backend';
import { KVStore } from './mvcc/kv-store';

const MINUTE = 60_000;

let dir: string;
let backend: Backend;
let kv: KVStore;
let stop: () => void = () => {};
const log = { info: vi.fn(), warn: vi.fn() };

beforeEach(async () => {
  // Only the compactor's interval is faked; LevelDB and setImmediate (group commit) run for real.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  log.info.mockClear();
  log.warn.mockClear();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-compactor-'));
  backend = await Backend.open(dir);
  kv = new KVStore(backend);
  await kv.restore();
});

afterEach(async () => {
  stop();
  vi.useRealTimers();
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function putRevisions(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const txn = kv.write();
    txn.put(Buffer.from('k'), Buffer.from(String(i)), '0');
    await txn.end();
  }
}

/** Waits until the backend has finished the compaction at `rev` (the compactor does not wait for it). */
async function backendCompacted(rev: number): Promise<void> {
  await waitFor(
    async () => {
      const bytes = await backend.get(Backend.key(Bucket.meta, 'finishedCompactRev'));
      return bytes !== undefined && Number(bytes.toString()) === rev;
    },
    { timeoutMs: 5_000, intervalMs: 10, what: `compaction at ${rev} to finish` },
  );
}

describe('auto compaction, revision mode', () => {
  it('every 5 minutes compacts to the current revision minus the retention', async () => {
    await putRevisions(9); // revisions 2..10
    stop = startCompactor(kv, 'revision', 3, log as unknown as Logger);
    vi.advanceTimersByTime(5 * MINUTE - 1);
    expect(kv.compactMainRev).toBe(-1);
    vi.advanceTimersByTime(1);
    expect(kv.compactMainRev).toBe(7);
    expect(log.info).toHaveBeenCalledWith({ revision: 7, mode: 'revision' }, 'auto compaction');
    await backendCompacted(7);

    await putRevisions(2); // revisions 11, 12
    vi.advanceTimersByTime(5 * MINUTE);
    expect(kv.compactMainRev).toBe(9);
    await backendCompacted(9);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('does nothing while there are fewer revisions than the retention, or nothing new to compact', async () => {
    await putRevisions(4); // current revision 5
    stop = startCompactor(kv, 'revision', 10, log as unknown as Logger);
    vi.advanceTimersByTime(30 * MINUTE);
    expect(kv.compactMainRev).toBe(-1);
    expect(log.info).not.toHaveBeenCalled();
  });

  it('does not compact the same revision twice when nothing was written in between', async () => {
    await putRevisions(9);
    stop = startCompactor(kv, 'revision', 3, log as unknown as Logger);
    vi.advanceTimersByTime(5 * MINUTE);
    await backendCompacted(7);
    vi.advanceTimersByTime(5 * MINUTE);
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(log.warn).not.toHaveBeenCalled();
  });
});

describe('auto compaction, periodic mode', () => {
  it('compacts to the revision it saw one retention window ago, sampling every tenth of the window', async () => {
    // A 10-minute window: a sample every minute, compaction once 10 samples are older than the newest.
    stop = startCompactor(kv, 'periodic', 10 * MINUTE, log as unknown as Logger);
    for (let tick = 1; tick <= 10; tick++) {
      await putRevisions(1); // current revision is tick + 1 when sampled
      vi.advanceTimersByTime(MINUTE);
    }
    expect(kv.compactMainRev).toBe(-1);
    await putRevisions(1);
    vi.advanceTimersByTime(MINUTE); // tick 11: the sample from tick 1 (revision 2) is a window old
    expect(kv.compactMainRev).toBe(2);
    await backendCompacted(2);
    await putRevisions(1);
    vi.advanceTimersByTime(MINUTE);
    expect(kv.compactMainRev).toBe(3);
    await backendCompacted(3);
  });

  it('caps the sampling step at 6 minutes for windows over an hour', async () => {
    stop = startCompactor(kv, 'periodic', 2 * 60 * MINUTE, log as unknown as Logger);
    await putRevisions(1); // revision 2, sampled first
    vi.advanceTimersByTime(6 * MINUTE);
    await putRevisions(5);
    vi.advanceTimersByTime(19 * 6 * MINUTE); // 20 samples: none is a full window old yet
    expect(kv.compactMainRev).toBe(-1);
    vi.advanceTimersByTime(6 * MINUTE); // the 21st sample pushes out the first
    expect(kv.compactMainRev).toBe(2);
    await backendCompacted(2);
  });
});

describe('auto compaction, off', () => {
  it('a retention of 0 never compacts', async () => {
    await putRevisions(5);
    stop = startCompactor(kv, 'revision', 0, log as unknown as Logger);
    vi.advanceTimersByTime(24 * 60 * MINUTE);
    stop();
    stop = startCompactor(kv, 'periodic', 0, log as unknown as Logger);
    vi.advanceTimersByTime(24 * 60 * MINUTE);
    expect(kv.compactMainRev).toBe(-1);
  });

  it('stopping the compactor stops it', async () => {
    await putRevisions(9);
    stop = startCompactor(kv, 'revision', 3, log as unknown as Logger);
    stop();
    vi.advanceTimersByTime(60 * MINUTE);
    expect(kv.compactMainRev).toBe(-1);
  });
});
