import { Command } from 'commander';
import { components } from '../components';

export function labProgram(): Command {
  const program = new Command('kubelab').description('A Kubernetes lab of real, separate processes');
  for (const [name, component] of Object.entries(components)) {
    program.command(`${name} [flags...]`, { hidden: false }).description(`run the ${name} in the foreground: ${component.description}`);
  }
  return program;
}
