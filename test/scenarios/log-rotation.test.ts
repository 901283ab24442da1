import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { startCluster, type Cluster } from '@kubelab/testkit';
import { kubectlSession } from './scenario';

/**
 * Pod logs rotated as the kubelet rotates them (over 10 MiB, 5 files kept), through the real
 * kubectl on a real lab: `kubectl logs -f` follows into the new file, `kubectl logs` reads the
 * current one, and the rotated files sit beside it under the node's kubelet state.
 */
describe('pod log rotation', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  const { ok, apply } = kubectlSession(() => cluster.kubeconfig);

  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('a pod that writes ~18 MiB of CRI log: -f follows through the rotation to the last line; logs shows the current file only', async () => {
    // 400,000 short lines are ~18 MiB in the CRI format (a timestamp and "stdout F " on each).
    apply(`apiVersion: v1
kind: Pod
metadata:
  name: chatty
spec:
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'sleep 2; yes line | head -n 400000; echo LAST; sleep 1; echo END; sleep 3600']
`);
    await waitFor(() => ok('get', 'pod', 'chatty', '-o', 'jsonpath={.status.phase}') === 'Running', { timeoutMs: 30_000, what: 'the pod Running' });
    const follow = spawn('kubectl', ['logs', '-f', 'chatty'], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    let tail = '';
    let lines = 0;
    follow.stdout.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString();
      lines += text.split('\n').length - 1;
      tail = text.slice(text.lastIndexOf('\n') + 1);
      if (text.includes('END\n')) tail = 'END';
    });
    try {
      await waitFor(() => tail === 'END', { timeoutMs: 60_000, what: 'kubectl logs -f to reach the last line' });
    } finally {
      follow.kill();
    }
    expect(lines).toBeGreaterThanOrEqual(400_002);
    // The current file holds the newest lines only; the rotated ones are beside it, named with the time.
    // (However late the kubelet reads the burst, no file takes much more than 10 MiB of it.)
    const current = ok('logs', 'chatty');
    expect(current).toMatch(/(^|\n)END\n$/);
    expect(current.split('\n').length).toBeLessThan(400_000);
    const node = ok('get', 'pod', 'chatty', '-o', 'jsonpath={.spec.nodeName}');
    const uid = ok('get', 'pod', 'chatty', '-o', 'jsonpath={.metadata.uid}');
    const logDir = path.join(cluster.dir, 'data', 'kubelet', node, 'pods', `default_chatty_${uid}`, 'main');
    const rotated = fs.readdirSync(logDir).filter((name) => name.startsWith('0.log.'));
    expect(rotated.length).toBeGreaterThanOrEqual(1);
    expect(rotated.length).toBeLessThanOrEqual(4);
    for (const name of rotated) expect(name).toMatch(/^0\.log\.\d{8}-\d{6}(\.\d+)?$/);
  });
});
