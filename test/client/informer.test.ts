import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { ApiserverUnavailableError, Informer, LeaderElector, LeaseLock, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { kubectl, startKubelabApiserver, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * The client library against real processes: an informer follows pods written over gRPC and by
 * kubectl, survives `kill -9` of the apiserver by resuming its watch (the changes made through a
 * second apiserver meanwhile arrive as events, without a relist), and two leader electors race
 * for a Lease.
 */
const NS = 'informer-e2e';
const podYaml = (name: string, labels = 'app: web') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${NS}\n  labels:\n    ${labels}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n`;
const pod = (name: string): KubeObject => ({ metadata: { name, namespace: NS, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });

describe('informers and leader election against the real apiserver', () => {
  let store: ServerProcess;
  let apiserver: ApiserverProcess;
  let client: ObjectsClient;
  const ok = (server: ApiserverProcess, args: string[], input?: string) => {
    const r = kubectl(server.kubeconfig, args, { input });
    expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
    return r.stdout;
  };

  beforeAll(async () => {
    store = await startKubelabStore();
    apiserver = await startKubelabApiserver(store.endpoint);
    client = new ObjectsClient(apiserver.grpcEndpoint);
    ok(apiserver, ['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
  });
  afterAll(async () => {
    client?.close();
    await apiserver?.stop();
    await store?.stop();
  });

  it('an informer follows pods written over gRPC and by kubectl, and resumes after kill -9 of the apiserver without missing an event', async () => {
    await client.create(Resources.pods, pod('before-start'));
    const informer = new Informer({
      client,
      resource: Resources.pods,
      namespace: NS,
      indexers: { byNode: (p) => (p.spec?.nodeName ? [String(p.spec.nodeName)] : []) },
      backoff: { initialMs: 100, maxMs: 1_000 },
    });
    const events: string[] = [];
    informer.addEventHandler({
      onAdd: (p, initial) => events.push(`add ${p.metadata.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (_old, p) => events.push(`update ${p.metadata.name}`),
      onDelete: (p) => events.push(`delete ${p.metadata.name}`),
    });
    informer.start();
    await informer.waitForSync(10_000);
    expect(informer.indexer.listKeys()).toEqual([`${NS}/before-start`]);
    const cached = (name: string) => informer.indexer.get(NS, name);

    // Written over gRPC and over REST: the cache follows both.
    await client.create(Resources.pods, pod('grpc-1'));
    ok(apiserver, ['apply', '-f', '-'], podYaml('kubectl-1'));
    await waitFor(() => cached('grpc-1') && cached('kubectl-1'), { what: 'the two new pods in the cache' });
    ok(apiserver, ['label', 'pod', 'grpc-1', '-n', NS, 'tier=front']);
    await client.bind(NS, 'kubectl-1', 'node-1');
    await waitFor(() => cached('grpc-1')?.metadata.labels?.tier === 'front' && informer.indexer.byIndex('byNode', 'node-1').length === 1, { what: 'the label and the binding in the cache' });
    ok(apiserver, ['delete', 'pod', 'before-start', '-n', NS]);
    await waitFor(() => !cached('before-start'), { what: 'the deletion in the cache' });
    expect(events).toEqual(['add before-start (initial)', 'add grpc-1', 'add kubectl-1', 'update grpc-1', 'update kubectl-1', 'delete before-start']);
    expect(informer.stats().lists).toBe(1);

    // kill -9 the apiserver: calls fail clearly; meanwhile another apiserver on the same store takes writes.
    const port = Number(new URL(apiserver.url).port);
    await apiserver.stop('SIGKILL');
    const down = await client.get(Resources.pods, NS, 'grpc-1').catch((e: unknown) => e);
    expect(down).toBeInstanceOf(ApiserverUnavailableError);
    const other = await startKubelabApiserver(store.endpoint);
    try {
      ok(other, ['apply', '-f', '-'], podYaml('while-down'));
      ok(other, ['label', 'pod', 'kubectl-1', '-n', NS, 'tier=back']);
      ok(other, ['delete', 'pod', 'grpc-1', '-n', NS]);
    } finally {
      await other.stop();
    }
    expect(cached('while-down')).toBeUndefined();

    // The same apiserver again, on the same ports: the informer's watch resumes from its resourceVersion.
    apiserver = await startKubelabApiserver(store.endpoint, { port, grpcPort: apiserver.grpcPort });
    await waitFor(() => cached('while-down') && !cached('grpc-1') && cached('kubectl-1')?.metadata.labels?.tier === 'back', { timeoutMs: 20_000, what: 'the changes made while the apiserver was down' });
    expect(events.slice(6)).toEqual(['add while-down', 'update kubectl-1', 'delete grpc-1']);
    expect(informer.stats().lists).toBe(1); // resumed, not relisted
    expect(informer.stats().watches).toBeGreaterThanOrEqual(2);

    // And it keeps following.
    await client.create(Resources.pods, pod('after-restart'));
    await waitFor(() => cached('after-restart'), { what: 'a pod created after the restart' });
    expect(informer.indexer.listKeys().sort()).toEqual([`${NS}/after-restart`, `${NS}/kubectl-1`, `${NS}/while-down`]);
    const listed = await client.list(Resources.pods, { namespace: NS });
    expect(Number(informer.lastSyncResourceVersion())).toBeLessThanOrEqual(Number(listed.resourceVersion));
    await informer.stop();
  });

  /** Two candidates for one Lease, each on its own connection, timings shortened to 1 s / 0.7 s / 0.2 s. */
  const race = (lease: string, releaseOnCancel: boolean) => {
    const timeline: Array<{ who: string; what: 'started' | 'stopped'; at: number }> = [];
    const candidates = ['candidate-a', 'candidate-b'].map((identity) => {
      const own = new ObjectsClient(apiserver.grpcEndpoint);
      const controller = new AbortController();
      const elector = new LeaderElector({
        lock: new LeaseLock(own, 'kube-system', lease, identity),
        leaseDurationMs: 1_000,
        renewDeadlineMs: 700,
        retryPeriodMs: 200,
        releaseOnCancel,
        callbacks: {
          onStartedLeading: () => void timeline.push({ who: identity, what: 'started', at: Date.now() }),
          onStoppedLeading: () => void timeline.push({ who: identity, what: 'stopped', at: Date.now() }),
        },
      });
      const done = elector.run(controller.signal);
      return { identity, elector, stop: () => controller.abort(), done, close: () => own.close() };
    });
    return { candidates, timeline };
  };

  /** No two candidates ever led at the same time. */
  const neverTwoLeaders = (timeline: Array<{ who: string; what: string; at: number }>) => {
    let leaders = 0;
    for (const entry of [...timeline].sort((a, b) => a.at - b.at)) {
      leaders += entry.what === 'started' ? 1 : -1;
      expect(leaders).toBeLessThanOrEqual(1);
    }
  };

  it.each([
    ['releases the Lease', true],
    ['just stops renewing', false],
  ])('two leader electors race for a Lease: exactly one leads; when the leader %s, the other takes over within the lease duration', async (_how, releaseOnCancel) => {
    const lease = `race-${releaseOnCancel ? 'release' : 'expire'}`;
    const { candidates, timeline } = race(lease, releaseOnCancel);
    try {
      const leader = await waitFor(() => candidates.find((c) => c.elector.isLeader()), { what: 'a leader' });
      const follower = candidates.find((c) => c !== leader)!;
      // Several renewals later, still exactly one.
      const leaseObject = await waitFor(
        async () => {
          const l = await client.get(Resources.leases, 'kube-system', lease);
          return new Date(String(l.spec?.renewTime)).getTime() - new Date(String(l.spec?.acquireTime)).getTime() >= 600 ? l : undefined;
        },
        { what: 'the leader to renew for 600 ms' },
      );
      expect(leaseObject.spec).toMatchObject({ holderIdentity: leader.identity, leaseDurationSeconds: 1, leaseTransitions: 0 });
      expect(follower.elector.isLeader()).toBe(false);
      expect(follower.elector.getLeader()).toBe(leader.identity);
      expect(ok(apiserver, ['get', 'lease', lease, '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}'])).toBe(leader.identity);

      leader.stop();
      await leader.done;
      const stoppedAt = Date.now();
      await waitFor(() => follower.elector.isLeader(), { timeoutMs: 5_000, what: 'the follower to take over' });
      const tookOverAfter = timeline.find((t) => t.who === follower.identity && t.what === 'started')!.at - stoppedAt;
      // Released: the follower's next try (retryPeriod with jitter). Expired: once the lease
      // duration has run on the follower's clock since it last saw a renewal.
      if (releaseOnCancel) expect(tookOverAfter).toBeLessThan(1_000);
      else expect(tookOverAfter).toBeGreaterThanOrEqual(1_000 - 2.2 * 200 - 100);
      expect(tookOverAfter).toBeLessThan(1_000 + 2.2 * 200 + 600); // + the calls themselves, on a busy machine
      const after = await client.get(Resources.leases, 'kube-system', lease);
      expect(after.spec).toMatchObject({ holderIdentity: follower.identity, leaseTransitions: 1 });
      neverTwoLeaders(timeline);
    } finally {
      for (const c of candidates) c.stop();
      await Promise.all(candidates.map((c) => c.done));
      for (const c of candidates) c.close();
    }
  });
});
