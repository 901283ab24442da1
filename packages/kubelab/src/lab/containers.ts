import * as fs from 'node:fs';

type StopAllContainers = (rootDir: string) => Promise<number>;

/**
 * The kubelet's clean-up (services/kubelet/src/runtime/cleanup.ts), loaded only when `down` needs
 * it: a kubelet that stops leaves its containers running on purpose (the next kubelet adopts them,
 * as with a real kubelet restart), so taking a lab down stops them through this.
 */
function loadStopAllContainers(): StopAllContainers | undefined {
  for (const id of ['@kubelab/kubelet', '@kubelab/kubelet/dist/runtime/cleanup']) {
    try {
      const fn = (require(id) as { stopAllContainers?: StopAllContainers }).stopAllContainers;
      if (typeof fn === 'function') return fn;
    } catch {
      // not built (yet): try the next
    }
  }
  return undefined;
}

/** Stops every container process the kubelets recorded under their root dirs; one line per node that had any. */
export async function stopPodContainers(nodes: Array<{ name: string; rootDir: string }>, say: (line: string) => void): Promise<void> {
  const present = nodes.filter((n) => fs.existsSync(n.rootDir));
  if (present.length === 0) return;
  const stopAll = loadStopAllContainers();
  if (!stopAll) {
    say('pod containers: the kubelet\'s stopAllContainers is not available (is @kubelab/kubelet built?); containers may still run');
    return;
  }
  for (const node of present) {
    try {
      const stopped = await stopAll(node.rootDir);
      if (stopped > 0) say(`pods of ${node.name}: ${stopped} container${stopped === 1 ? '' : 's'} stopped`);
    } catch (error) {
      say(`pods of ${node.name}: could not stop containers: ${(error as Error).message}`);
    }
  }
}
