export { etcdctl, type CommandResult } from './etcdctl';
export { kubectl, kubectlAsync } from './kubectl';
export { freePort } from './ports';
export { nftablesTables, nftablesUnusable } from './nftables';
export { KUBELAB, ROOT, startEtcd, startKubelabApiserver, startKubelabStore, tempDir, type ApiserverProcess, type ServerProcess } from './servers';
export { startKubelabComponent } from './servers';
export type { HollowNodeSpec } from './hollow-nodes';
export { FAST_LEADER_ELECTION, FAST_NODE_MONITOR, HollowNodeProcesses, MULTINODE, startControlPlane, type ControlPlane } from './control-plane';
export { clusterConfig, removeLab, reserveBasePort, reserveLabSubnet, startCluster, type Cluster, type ClusterNetwork, type ClusterNode, type ClusterOptions } from './cluster';
