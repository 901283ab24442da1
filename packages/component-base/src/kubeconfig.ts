/**
 * A kubeconfig for the real kubectl and client libraries: one cluster, user and context, all
 * named `name`, reaching the apiserver at `server`. The lab's apiserver serves plain HTTP;
 * client-node refuses http:// unless TLS verification is said to be off.
 */
export function kubeconfigYaml(server: string, name: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    insecure-skip-tls-verify: true
    server: ${server}
  name: ${name}
contexts:
- context:
    cluster: ${name}
    namespace: default
    user: ${name}-admin
  name: ${name}
current-context: ${name}
preferences: {}
users:
- name: ${name}-admin
  user: {}
`;
}
