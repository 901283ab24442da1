export { KUBELAB, ROOT, startEtcd, startKubelabStore, tempDir, type ServerProcess } from '@kubelab/testkit';
