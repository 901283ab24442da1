import { components } from './components';
import { labProgram } from './lab/program';

/**
 * `kubelab <component> [flags]` runs one component in the foreground (as k3s and hyperkube do);
 * `kubelab up|down|status|...` manages a whole lab.
 */
export function main(argv: string[]): void {
  const [first, ...rest] = argv;
  const component = first === undefined ? undefined : components[first];
  if (component) {
    void component.main(rest);
    return;
  }
  void labProgram()
    .parseAsync(argv, { from: 'user' })
    .catch((error: Error) => {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(1);
    });
}
