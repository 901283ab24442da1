import fs from 'node:fs';
import { RuntimeLayout } from './layout';
import { isAlive } from './proc-stat';
import { ProcScanner } from './proc-scanner';
import { readRecords } from './records';
import { signalContainer } from './signals';

/**
 * SIGKILLs every container process recorded under a kubelet's root dir (`kubelab down`: the
 * containers outlive their kubelet by design, so something must end them). Each container's
 * recorded pid is checked against its recorded start time first (pids are reused); its whole
 * process group and tree die, and its exit code is recorded as 137 (killed) for whoever reads the
 * records next. Returns how many containers were running.
 */
export async function stopAllContainers(rootDir: string): Promise<number> {
  const layout = new RuntimeLayout(rootDir);
  const live = readRecords(layout.containersDir).filter(
    (r) => r.state !== 'exited' && r.pid !== undefined && r.startTime !== undefined && isAlive(r.pid, r.startTime),
  );
  if (live.length === 0) return 0;
  const scanner = new ProcScanner();
  const trees = scanner.scan(live.map((r) => ({ pid: r.pid!, startTime: r.startTime! })));
  scanner.close();
  for (const record of live) {
    signalContainer(record.pid!, trees.get(record.pid!)?.members ?? [], 'SIGKILL');
    try {
      fs.writeFileSync(layout.exitFile(record.id), '137\n', { flag: 'wx' });
    } catch {
      // it wrote its own exit code, or its directory is gone
    }
  }
  return live.length;
}
