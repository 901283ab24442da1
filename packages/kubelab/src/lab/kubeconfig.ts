import { kubeconfigYaml } from '@kubelab/component-base';
import * as fs from 'node:fs';
import { paths } from './layout';

/**
 * The lab's kubeconfig, as kind writes one: a cluster, a user and a context all named
 * "kubelab", so `KUBECONFIG=$(kubelab kubeconfig) kubectl get ns` reaches the lab's apiserver.
 */
export function writeKubeconfig(dir: string, apiserverUrl: string): string {
  const file = paths.kubeconfig(dir);
  const text = kubeconfigYaml(apiserverUrl, 'kubelab');
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** `kubelab kubeconfig`: prints the path of the lab's kubeconfig, or explains why there is none. */
export function printKubeconfigPath(dir: string): number {
  const file = paths.kubeconfig(dir);
  if (!fs.existsSync(file)) {
    process.stderr.write(`no kubeconfig in ${dir}: start a lab first with \`kubelab up\`\n`);
    return 1;
  }
  process.stdout.write(`${file}\n`);
  return 0;
}
