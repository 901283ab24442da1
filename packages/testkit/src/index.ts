export { etcdctl, type CommandResult } from './etcdctl';
export { freePort } from './ports';
export { KUBELAB, ROOT, startEtcd, startKubelabStore, tempDir, type ServerProcess } from './servers';
