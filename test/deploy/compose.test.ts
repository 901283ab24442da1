import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@kubelab/testkit';

const has = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0;
const composeCli = has('docker-compose', ['version']);
const dockerEngine = has('docker', ['info']);

describe('docker-compose.yml', () => {
  it.skipIf(!composeCli)('is a valid compose file with the lab\'s services (docker-compose config)', () => {
    const result = spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}nats:$/m);
    expect(result.stdout).toMatch(/^ {2}store:$/m);
    expect(result.stdout).toContain('--advertise-client-urls=http://store:2379');
    expect(result.stdout).toMatch(/^ {2}apiserver:$/m);
    expect(result.stdout).toContain('--etcd-servers=http://store:2379');
    expect(result.stdout).toMatch(/^ {2}scheduler:$/m);
    expect(result.stdout).toMatch(/^ {2}controller-manager:$/m);
    expect(result.stdout).toContain('--master=apiserver:6444');
    expect(result.stdout).toContain('--service-cluster-ip-range=127.96.0.0/16');
    expect(result.stdout).toContain('--load-balancer-ip-pool=127.0.200.1-127.0.200.254');
  });

  it.skipIf(!composeCli)('runs a kubelet and a kube-proxy per node, sharing the node\'s network namespace and fixed address, as kind\'s node containers', () => {
    const result = spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const out = result.stdout;
    const service = (name: string) => {
      const start = out.indexOf(`\n  ${name}:\n`);
      expect(start, name).toBeGreaterThan(0);
      const next = out.slice(start + 1).search(/\n {2}\S/);
      return out.slice(start, next < 0 ? undefined : start + 1 + next);
    };
    const nodes: Array<[short: string, node: string, ip: string, podCIDR: string]> = [
      ['control-plane', 'kubelab-control-plane', '172.29.0.2', '127.244.0.0/24'],
      ['worker', 'kubelab-worker', '172.29.0.3', '127.244.1.0/24'],
      ['worker2', 'kubelab-worker2', '172.29.0.4', '127.244.2.0/24'],
    ];
    nodes.forEach(([short, node, ip, podCIDR]) => {
      const kubelet = service(`kubelet-${short}`);
      expect(kubelet).toContain(`- --node-name=${node}`);
      expect(kubelet).toContain(`- --node-ip=${ip}`);
      expect(kubelet).toContain(`- --pod-cidr=${podCIDR}`);
      expect(kubelet).toContain('- --cluster-dns=127.96.0.10');
      expect(kubelet).toMatch(new RegExp(`ipv4_address: ${ip.replace(/\./g, '\\.')}$`, 'm'));
      expect(kubelet.includes('--register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule')).toBe(short === 'control-plane');
      const proxy = service(`kube-proxy-${short}`);
      expect(proxy).toContain(`network_mode: service:kubelet-${short}`);
      expect(proxy).toContain(`- --nodeport-addresses=${ip}/32`);
      expect(proxy).toContain(`- --healthz-bind-address=${ip}:10256`);
      expect(proxy).toContain('- --cluster-dns=127.96.0.10');
    });
    expect(out).toContain('subnet: 172.29.0.0/16');
  });

  // `docker compose up` needs a Docker engine; this machine has only the client.
  it.skipIf(!dockerEngine)('starts the lab with docker compose up (skipped: no Docker engine on this machine)', () => {
    const up = spawnSync('docker', ['compose', 'up', '-d', '--build', '--wait'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    try {
      expect(up.status).toBe(0);
    } finally {
      spawnSync('docker', ['compose', 'down', '-v'], { cwd: ROOT });
    }
  });
});
