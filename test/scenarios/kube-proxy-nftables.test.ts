import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { nftablesTables, nftablesUnusable, startCluster, type Cluster } from '@kubelab/testkit';
import { httpGet, tryGet } from './http';
import { kubectlSession, labProcess } from './scenario';

const unusable = nftablesUnusable();
if (unusable) console.warn(`skipping kube-proxy's nftables mode on a real lab: nftables cannot be used here (${unusable}); as root with Debian's nftables package it runs`);

const NGINX_TITLE = '<title>Welcome to nginx!</title>';

/** Whether a GET is refused (nothing listens on the address and no rule rewrites it). */
const refused = (url: string) => httpGet(url, 2_000).then(() => false, (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');

/**
 * kube-proxy's `--proxy-mode nftables` on a real lab, driven by the real kubectl: a node's
 * kube-proxy started again in that mode serves the NodePort of a Service made with `kubectl
 * expose` through the kernel's DNAT rules, spreads it over the pods, refuses it while the
 * Deployment is scaled to 0, and takes it along when it dies; the other nodes' NodePorts go on.
 */
describe.skipIf(unusable)('kube-proxy --proxy-mode nftables on a real lab', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  const { ok } = kubectlSession(() => cluster.kubeconfig);

  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('serves a NodePort from kernel rules owned by the node\'s kube-proxy: spread over the pods, refused without endpoints, gone with its kube-proxy', async () => {
    ok('create', 'deployment', 'web', '--image=nginx', '--replicas=2');
    expect(ok('expose', 'deployment', 'web', '--type=NodePort', '--port=80')).toBe('service/web exposed\n');
    ok('wait', '--for=condition=Available', 'deployment/web', '--timeout=60s');
    const nodePort = ok('get', 'service', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    const [worker, worker2] = [cluster.nodes[1]!, cluster.nodes[2]!];
    const url = `http://${worker.ip}:${nodePort}`;

    const proxy = labProcess(cluster.dir, `kube-proxy-${worker.name}`);
    const old = proxy.entry.pid;
    process.kill(old, 'SIGTERM');
    await waitFor(() => refused(`${url}/`), { timeoutMs: 10_000, what: "the NodePort gone with the node's kube-proxy" });
    const pid = proxy.startAgain(['--proxy-mode', 'nftables']);
    const table = `kube-proxy-${worker.name}-${pid}`;
    await waitFor(async () => (await tryGet(`${url}/`))?.includes(NGINX_TITLE) === true, { timeoutMs: 20_000, what: 'the NodePort served by the new kube-proxy' });
    expect(nftablesTables()).toContain(table);

    // Both pods get requests: their access logs (kubectl logs) show the marked paths.
    for (let i = 0; i < 6; i++) expect((await httpGet(`${url}/nft-${i}`)).status).toBe(404);
    const pods = ok('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}').split(' ');
    expect(pods).toHaveLength(2);
    await waitFor(() => pods.every((pod) => /GET \/nft-\d /.test(ok('logs', pod))), { timeoutMs: 10_000, what: 'requests through the NodePort in the logs of both pods' });

    ok('scale', 'deployment', 'web', '--replicas=0');
    await waitFor(() => refused(`${url}/`), { timeoutMs: 30_000, what: 'the NodePort refused without endpoints' });
    ok('scale', 'deployment', 'web', '--replicas=1');
    await waitFor(async () => (await tryGet(`${url}/`))?.includes(NGINX_TITLE) === true, { timeoutMs: 30_000, what: 'the NodePort served again' });

    process.kill(pid, 'SIGKILL');
    await waitFor(() => refused(`${url}/`), { timeoutMs: 10_000, what: 'the NodePort refused once its kube-proxy is killed' });
    await waitFor(() => !nftablesTables().includes(table), { timeoutMs: 10_000, what: `table ${table} gone` });
    expect(await tryGet(`http://${worker2.ip}:${nodePort}/`)).toContain(NGINX_TITLE);
  });
});
