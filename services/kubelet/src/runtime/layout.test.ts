import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuntimeLayout } from './layout';

const pod = { namespace: 'default', name: 'web-7d9f8-abcde', uid: '0b6c7a52-5f1e-4d2a-9a53-0e4c1c3f2a10' };
const id = 'kubelab://4f2a9c';

describe('RuntimeLayout', () => {
  it.each(['/var/lib/kubelet', '/var/lib/kubelet/', '/tmp//kubelab/./node', '/', 'relative/dir', './x/../y', '.'])('lays out %s as path.join would', (root) => {
    const layout = new RuntimeLayout(root);
    const hex = '4f2a9c';
    expect(layout.binDir).toBe(path.join(root, 'bin'));
    expect(layout.imagesFile).toBe(path.join(root, 'images.json'));
    expect(layout.containersDir).toBe(path.join(root, 'containers'));
    expect(layout.recordFile(id)).toBe(path.join(root, 'containers', `${hex}.json`));
    expect(layout.containerDir(id)).toBe(path.join(root, 'containers', hex));
    expect(layout.stdoutFile(id)).toBe(path.join(root, 'containers', hex, 'stdout'));
    expect(layout.stderrFile(id)).toBe(path.join(root, 'containers', hex, 'stderr'));
    expect(layout.exitFile(id)).toBe(path.join(root, 'containers', hex, 'exit'));
    expect(layout.logOffsetsFile(id)).toBe(path.join(root, 'containers', hex, 'log-offsets'));
    expect(layout.resolvConfFile(id)).toBe(path.join(root, 'containers', hex, 'resolv.conf'));
    expect(layout.hostsFile(id)).toBe(path.join(root, 'containers', hex, 'hosts'));
    expect(layout.logDir(pod, 'web')).toBe(path.join(root, 'pods', `default_web-7d9f8-abcde_${pod.uid}`, 'web'));
    expect(layout.rootfsDir(hex)).toBe(path.join(root, 'containers', hex, 'rootfs'));
    expect(layout.podLogDir(pod)).toBe(path.join(root, 'pods', `default_web-7d9f8-abcde_${pod.uid}`));
    expect(layout.logFile(pod, 'web', 2)).toBe(path.join(root, 'pods', `default_web-7d9f8-abcde_${pod.uid}`, 'web', '2.log'));
  });
});
