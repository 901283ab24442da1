import { afterAll, beforeAll, expect } from 'vitest';
import { kubectl, startKubelabApiserver, startKubelabStore, tempDir, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * A kubelab store and apiserver for one describe block (started before its tests, stopped
 * after), and the real kubectl against them with a discovery cache of its own: `k` runs it,
 * `ok` runs it and expects it to succeed quietly, answering its stdout.
 */
export function apiserverSession() {
  let store: ServerProcess | undefined;
  let apiserver: ApiserverProcess | undefined;
  const cacheDir = tempDir('kubectl-cache');
  beforeAll(async () => {
    store = await startKubelabStore();
    apiserver = await startKubelabApiserver(store.endpoint);
  });
  afterAll(async () => {
    await apiserver?.stop();
    await store?.stop();
  });
  const k = (args: string[], input?: string) => kubectl(apiserver!.kubeconfig, args, { input, env: { KUBECACHEDIR: cacheDir } });
  const ok = (args: string[], input?: string) => {
    const r = k(args, input);
    expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
    expect(r.status, `kubectl ${args.join(' ')}`).toBe(0);
    return r.stdout;
  };
  return { k, ok, apiserver: () => apiserver! };
}
