import { describe, expect, it } from 'vitest';
import { parseKubeProxyFlags } from './config';

describe('parseKubeProxyFlags', () => {
  it("defaults are kube-proxy's (healthz on the node IP rather than 0.0.0.0)", () => {
    expect(parseKubeProxyFlags(['--node-name', 'kind-worker', '--nodeport-addresses', '127.18.0.3/32'])).toEqual({
      nodeName: 'kind-worker',
      master: '127.0.0.1:6444',
      nodePortAddresses: ['127.18.0.3'],
      healthzBindAddress: { host: '127.18.0.3', port: 10256 },
      metricsBindAddress: { host: '127.0.0.1', port: 10249 },
      clusterDNS: undefined,
      clusterDNSPort: 53,
      clusterDomain: 'cluster.local',
      resolvConf: '/etc/resolv.conf',
      extraPortMappings: [],
      proxyMode: 'userspace',
      natsUrl: undefined,
      logLevel: 'info',
    });
  });

  it.each([
    { args: ['--nodeport-addresses', '127.18.0.2/32,127.18.0.9'], field: 'nodePortAddresses', want: ['127.18.0.2', '127.18.0.9'] },
    { args: [], field: 'healthzBindAddress', want: { host: '127.0.0.1', port: 10256 } },
    { args: ['--healthz-bind-address', '127.18.0.2:0'], field: 'healthzBindAddress', want: { host: '127.18.0.2', port: 0 } },
    { args: ['--healthz-bind-address', ''], field: 'healthzBindAddress', want: undefined },
    { args: ['--metrics-bind-address', '127.18.0.2:10249'], field: 'metricsBindAddress', want: { host: '127.18.0.2', port: 10249 } },
    { args: ['--cluster-dns', '127.96.0.10'], field: 'clusterDNS', want: '127.96.0.10' },
    { args: ['--cluster-dns-port', '5353'], field: 'clusterDNSPort', want: 5353 },
    { args: ['--cluster-domain', 'Lab.Local.'], field: 'clusterDomain', want: 'lab.local' },
    { args: ['--proxy-mode', 'nftables'], field: 'proxyMode', want: 'nftables' },
    { args: ['--proxy-mode', ''], field: 'proxyMode', want: '' },
    {
      args: ['--nodeport-addresses', '127.18.0.3/32', '--extra-port-mappings', '127.0.0.1:8000:30001,8443:30443'],
      field: 'extraPortMappings',
      want: [
        { listenAddress: '127.0.0.1', hostPort: 8000, containerPort: 30001 },
        { listenAddress: '0.0.0.0', hostPort: 8443, containerPort: 30443 },
      ],
    },
  ])('$args', ({ args, field, want }) => {
    expect(parseKubeProxyFlags(['--node-name', 'n', ...args])[field as keyof ReturnType<typeof parseKubeProxyFlags>]).toEqual(want);
  });

  it.each([
    { args: [], error: /required option '--node-name <name>' not specified/ },
    { args: ['--node-name', 'n', '--nodeport-addresses', '127.18.0.0/24'], error: /not a single address/ },
    { args: ['--node-name', 'n', '--cluster-dns', 'kube-dns'], error: /not an IPv4 address/ },
    { args: ['--node-name', 'n', '--proxy-mode', 'iptables'], error: /"iptables" is not a proxy mode kubelab has \(nftables, userspace\)/ },
    { args: ['--node-name', 'n', '--cluster-dns-port', '70000'], error: /not a port number/ },
    { args: ['--node-name', 'n', '--healthz-bind-address', 'localhost:10256'], error: /not ip:port/ },
    { args: ['--node-name', 'n', '--nodeport-addresses', '127.18.0.3', '--extra-port-mappings', '127.0.0.1:8000'], error: /not an extra port mapping/ },
    { args: ['--node-name', 'n', '--extra-port-mappings', '127.0.0.1:8000:30001'], error: /needs --nodeport-addresses/ },
  ])('refuses $args', ({ args, error }) => {
    expect(() => parseKubeProxyFlags(args)).toThrow(error);
  });
});
