export { etcdctl, type CommandResult } from '@kubelab/testkit';
