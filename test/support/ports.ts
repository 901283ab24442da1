export { freePort } from '@kubelab/testkit';
