import type { Logger } from '@kubelab/component-base';
import type { KVStore } from './mvcc/kv-store';

/**
 * Auto-compaction, as etcd's compactor does it.
 * - periodic: remember the revision every tenth of the retention window (at most every hour / 10)
 *   and compact to the revision seen one window ago.
 * - revision: every 5 minutes, compact to (current revision - retention).
 */
export function startCompactor(kv: KVStore, mode: 'periodic' | 'revision', retention: number, log: Logger): () => void {
  if (retention <= 0) return () => {};
  const compact = (rev: number) => {
    if (rev <= 0 || rev <= kv.compactMainRev || rev > kv.currentRev) return;
    log.info({ revision: rev, mode }, 'auto compaction');
    kv.compact(rev).catch((error: Error) => log.warn({ err: error.message }, 'auto compaction failed'));
  };
  let timer: NodeJS.Timeout;
  if (mode === 'revision') {
    timer = setInterval(() => compact(kv.currentRev - retention), 5 * 60_000);
  } else {
    const step = Math.min(retention, 3_600_000) / 10;
    const samples: number[] = [];
    const windowSize = Math.ceil(retention / step);
    timer = setInterval(() => {
      samples.push(kv.currentRev);
      if (samples.length > windowSize) compact(samples.shift()!);
    }, step);
  }
  timer.unref();
  return () => clearInterval(timer);
}
