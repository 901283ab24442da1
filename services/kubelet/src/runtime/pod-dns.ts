import type { PodSandboxConfig } from './types';

/**
 * The pod's resolv.conf, as the kubelet writes it for dnsPolicy ClusterFirst (nameserver lines,
 * then search, then options), or undefined if the pod has no DNS settings (the host's is used).
 */
export function resolvConf(pod: Pick<PodSandboxConfig, 'dns'>): string | undefined {
  const dns = pod.dns;
  if (!dns) return undefined;
  let text = '';
  for (const server of dns.nameservers) text += `nameserver ${server}\n`;
  if (dns.searches.length > 0) text += `search ${dns.searches.join(' ')}\n`;
  if (dns.options.length > 0) text += `options ${dns.options.join(' ')}\n`;
  return text;
}

/** The pod's /etc/hosts, as the kubelet manages it: localhost entries, then the pod's IP and hostname. */
export function hostsFile(pod: Pick<PodSandboxConfig, 'ip' | 'hostname'>): string {
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${pod.ip}\t${pod.hostname}`,
    '',
  ].join('\n');
}
