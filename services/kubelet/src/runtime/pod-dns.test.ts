import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { collect, exited, readAll, RuntimeHarness, testContainer, testPod } from './testdata/harness';
import { hostsFile, resolvConf } from './pod-dns';

const harness = new RuntimeHarness();
afterEach(() => harness.cleanup());

const dns = { nameservers: ['127.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] };
const POD_RESOLV_CONF = 'nameserver 127.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n';

describe('pod DNS files', () => {
  it("are written as the kubelet writes them", () => {
    expect(resolvConf({ dns })).toBe(POD_RESOLV_CONF);
    expect(resolvConf({})).toBeUndefined();
    expect(hostsFile({ ip: '127.244.1.5', hostname: 'web-0' })).toMatch(/^# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n[^]*\n127.244.1.5\tweb-0\n$/);
  });
});

const root = process.getuid?.() === 0;
const unshare = root && spawnSync('unshare', ['-m', '-u', 'true']).status === 0;
if (!unshare) console.warn(`skipping the mount-namespace tests: ${root ? 'unshare -m -u does not work here' : 'not running as root'}`);

describe.skipIf(!unshare)('busybox containers in a private mount namespace (root)', () => {
  it("see the pod's resolv.conf, hosts and hostname; the host's stay untouched; exec enters the same namespace", async () => {
    const hostResolv = fs.readFileSync('/etc/resolv.conf', 'utf8');
    const runtime = harness.runtime();
    const pod = testPod('dnsutils', { dns });
    const c = await runtime.startContainer(pod, testContainer('main', 'busybox', { command: ['sh', '-c', 'cat /etc/resolv.conf; hostname; grep dnsutils /etc/hosts; sleep 60'] }));

    const session = runtime.exec(c.id, ['cat', '/etc/resolv.conf'], { stdin: false, tty: false });
    const out = collect(session.stdout);
    expect(await session.exit).toBe(0);
    await out.ended;
    expect(out.text).toBe(POD_RESOLV_CONF);
    expect((await runtime.execSync(c.id, ['hostname'], 5_000)).output).toBe('dnsutils\n');

    // The execs can finish before the container's own script reaches its grep: wait for its last line.
    const expected = `${POD_RESOLV_CONF}dnsutils\n${pod.ip}\tdnsutils\n`;
    const logs = () => readAll(runtime.readLogs(c.id, {}, new AbortController().signal));
    await waitFor(async () => (await logs()).endsWith('\tdnsutils\n'), { what: "the container's hosts line in its log" }).catch(() => undefined);
    await runtime.stopContainer(c.id, 0);
    expect(await logs()).toBe(expected);
    expect(fs.readFileSync('/etc/resolv.conf', 'utf8')).toBe(hostResolv);
  });

  it('bind-mounts the files from a root dir whose path has blanks and a backslash in it', async () => {
    const rootDir = path.join(harness.newRootDir(), 'a dir\\with\tblanks');
    const runtime = harness.runtime({ rootDir });
    const pod = testPod('spaced', { dns });
    const c = await runtime.startContainer(pod, testContainer('main', 'busybox', { command: ['sh', '-c', 'cat /etc/resolv.conf; hostname; grep spaced /etc/hosts'] }));
    await exited(runtime, c.id);
    expect(await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))).toBe(`${POD_RESOLV_CONF}spaced\n${pod.ip}\tspaced\n`);
  });

  it('Node.js containers run in the host namespace (they read the DNS settings from their env)', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('node', { dns }), testContainer('main', 'hello-server', { command: ['cat', '/etc/resolv.conf'] }));
    await exited(runtime, c.id);
    // A command override runs natively: it gets the namespace too; the image's own program does not.
    expect(await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))).toBe(POD_RESOLV_CONF);
    const d = await runtime.startContainer(testPod('node', { dns }), testContainer('main', 'hello-server'));
    expect((await runtime.execSync(d.id, ['cat', '/etc/resolv.conf'], 5_000)).output).toBe(fs.readFileSync('/etc/resolv.conf', 'utf8'));
  });
});
