/**
 * The Kubernetes build every kubelab component is, as a cluster's components come from one
 * release: the apiserver's `/version` gitVersion, the kubelet's VERSION column, the user agents.
 * (kubectl 1.32 is the client on these machines.)
 */
export const KUBERNETES_GIT_VERSION = 'v1.32.0-kubelab';

/** Node.js' `process.arch` in Go's GOARCH words, as the `kubernetes.io/arch` label, nodeInfo and `/version` use them. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
  return names[arch] ?? arch;
}

/** Go's GOOS for `process.platform` (`kubernetes.io/os`). */
export function goOS(platform: string = process.platform): string {
  return platform === 'win32' ? 'windows' : platform;
}
