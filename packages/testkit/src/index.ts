export { etcdctl, type CommandResult } from './etcdctl';
export { kubectl } from './kubectl';
export { freePort } from './ports';
export { KUBELAB, ROOT, startEtcd, startKubelabApiserver, startKubelabStore, tempDir, type ApiserverProcess, type ServerProcess } from './servers';
