import { waitFor } from '@kubelab/component-base';

interface NodeList {
  items?: Array<{ metadata?: { name?: string }; status?: { conditions?: Array<{ type?: string; status?: string }> } }>;
}

/** Which of `names` are Ready, by the Node objects the apiserver serves (GET /api/v1/nodes, no kubectl). */
export async function readyNodes(apiserverUrl: string, names: string[]): Promise<Set<string>> {
  const response = await fetch(`${apiserverUrl}/api/v1/nodes`, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`GET /api/v1/nodes: ${response.status}`);
  const list = (await response.json()) as NodeList;
  const ready = new Set<string>();
  for (const node of list.items ?? []) {
    const name = node.metadata?.name;
    if (name && names.includes(name) && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(name);
  }
  return ready;
}

/**
 * Waits until every node of the lab is Ready, as `kubectl get nodes` would show it; on timeout the
 * error names the nodes that are not.
 */
export async function waitForNodesReady(apiserverUrl: string, names: string[], timeoutMs: number, stillRunning: () => void): Promise<void> {
  let notReady = names;
  try {
    await waitFor(
      async () => {
        stillRunning();
        const ready = await readyNodes(apiserverUrl, names);
        notReady = names.filter((n) => !ready.has(n));
        return notReady.length === 0;
      },
      { timeoutMs, intervalMs: 200, what: 'every node to be Ready' },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message} (not Ready: ${notReady.join(', ')})`);
  }
}
