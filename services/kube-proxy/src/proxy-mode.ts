import type { Clock } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { ProxyModeFlag } from './config';
import { NftablesNodePorts } from './nftables/nftables-node-ports';

let tables = 0;

/**
 * The NodePorts' mode (`--proxy-mode`): nftables gives them to the kernel, userspace (the
 * default) to sockets of kube-proxy's own. Asked for nftables, a kube-proxy that cannot use it
 * does not start; left to choose (`--proxy-mode ''`), it uses nftables if it can (root, the `nft`
 * tool, a kernel with nf_tables and owned tables) and says why not otherwise.
 */
export async function startNodePortRules(mode: ProxyModeFlag, nodeName: string, options: { retryMs: number; clock: Clock; log: Logger; nft?: string }): Promise<NftablesNodePorts | undefined> {
  if (mode === 'userspace') return undefined;
  // Unique on the machine: several kube-proxies of a lab share one kernel (and tests run several in one process).
  const table = `kube-proxy-${nodeName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)}-${process.pid}${tables++ ? `-${tables}` : ''}`;
  try {
    const rules = await NftablesNodePorts.start({ table, ...options });
    options.log.info({ table }, 'proxy mode nftables: NodePorts are DNAT rules in table ip ' + table);
    return rules;
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ').trim();
    if (mode === 'nftables') throw new Error(`--proxy-mode nftables: nftables cannot be used here: ${reason}`);
    options.log.info({ reason }, 'proxy mode userspace: nftables cannot be used here, so NodePorts are sockets of kube-proxy');
    return undefined;
  }
}
