import type { KubeObject } from '@kubelab/client';
import type { PodSandboxConfig } from '../runtime/types';
import type { PodDNSConfig, PodSpec } from '../status/api-types';

/** The cluster's DNS as the kubelet is told it (--cluster-dns, --cluster-domain). */
export interface ClusterDNS {
  nameserver: string;
  clusterDomain: string;
}

type DNSSettings = NonNullable<PodSandboxConfig['dns']>;

/**
 * The pod's resolv.conf by its dnsPolicy (the kubelet's dns configurer): ClusterFirst (the
 * default) gives the cluster DNS server, the search list `<ns>.svc.<domain> svc.<domain> <domain>`
 * and `ndots:5`; Default gives the node's own resolution (undefined: the runtime keeps the
 * host's); None only what spec.dnsConfig says; dnsConfig is merged into the others. A host-network
 * pod uses ClusterFirst only with ClusterFirstWithHostNet. `fellBack` tells that ClusterFirst was
 * asked for but the kubelet has no cluster DNS (Kubernetes' MissingClusterDNS event).
 */
export function podDNS(pod: KubeObject, cluster: ClusterDNS | undefined): { dns: DNSSettings | undefined; fellBack: boolean } {
  const spec = pod.spec as unknown as PodSpec;
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let fellBack = false;
  if (policy === 'ClusterFirst' && !cluster) {
    policy = 'Default';
    fellBack = true;
  }
  let base: DNSSettings | undefined;
  if (policy === 'ClusterFirst') {
    const domain = cluster!.clusterDomain;
    const ns = pod.metadata.namespace ?? 'default';
    base = { nameservers: [cluster!.nameserver], searches: [`${ns}.svc.${domain}`, `svc.${domain}`, domain], options: ['ndots:5'] };
  } else if (policy === 'None') base = { nameservers: [], searches: [], options: [] };
  const dns = spec.dnsConfig ? merge(base ?? { nameservers: [], searches: [], options: [] }, spec.dnsConfig) : base;
  return { dns, fellBack };
}

function merge(base: DNSSettings, extra: PodDNSConfig): DNSSettings {
  const unique = (list: string[]) => [...new Set(list)];
  const options = new Map<string, string>();
  for (const option of base.options) options.set(option.split(':')[0]!, option);
  for (const option of extra.options ?? []) options.set(option.name, option.value === undefined ? option.name : `${option.name}:${option.value}`);
  return {
    nameservers: unique([...base.nameservers, ...(extra.nameservers ?? [])]).slice(0, 3),
    searches: unique([...base.searches, ...(extra.searches ?? [])]).slice(0, 32),
    options: [...options.values()],
  };
}

/** The pod's hostname: spec.hostname, else its name cut to 63 characters (no trailing '-' or '.'). */
export function podHostname(pod: KubeObject): string {
  const spec = pod.spec as unknown as PodSpec;
  const name = spec.hostname || pod.metadata.name || '';
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[-.]+$/, '');
}

/** The settings all of a pod's containers share. */
export function podSandboxConfig(pod: KubeObject, ip: string, dns: DNSSettings | undefined): PodSandboxConfig {
  const config: PodSandboxConfig = { uid: pod.metadata.uid!, name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default', ip, hostname: podHostname(pod) };
  if (dns) config.dns = dns;
  return config;
}
