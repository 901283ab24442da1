/** `kubelab kube-proxy --node-name N [flags]`. Filled in by the kube-proxy work. */
export function main(argv: string[]): Promise<void> {
  void argv;
  return Promise.reject(new Error('kube-proxy: not yet built'));
}
