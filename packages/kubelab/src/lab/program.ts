import { Command, InvalidArgumentError, Option } from 'commander';
import { components } from '../components';
import { down } from './down';
import { printKubeconfigPath } from './kubeconfig';
import { DEFAULT_LAB_DIR, labLayout } from './layout';
import { status } from './status';
import { up } from './up';

/** The lab verbs. Component names are dispatched before this parser (see main.ts). */
export function labProgram(): Command {
  const program = new Command('kubelab')
    .description('A Kubernetes lab of real, separate processes: run one component, or a whole cluster')
    .showHelpAfterError();
  const dirOption = () => new Option('--dir <dir>', 'the lab folder: state, data and logs').default(DEFAULT_LAB_DIR);
  const exit = (code: number) => {
    process.exitCode = code;
  };

  program
    .command('up')
    .description('start a lab: NATS, the control plane, and a kubelet and a kube-proxy per node, each its own process; returns when all are healthy and every node is Ready')
    .addOption(new Option('--profile <profile>', 'time profile: Kubernetes timings, or shortened for tests').choices(['default', 'fast']).default('default'))
    .addOption(dirOption())
    .addOption(new Option('--base-port <port>', `use consecutive ports from here instead of the well-known ones (to run labs side by side): N to N+${LAB_PORT_COUNT - 1}`).argParser(basePort))
    .option('--timeout <seconds>', 'how long each process may take to become healthy, and the nodes to become Ready (seconds, may be fractional)', seconds, 30)
    .option('--nats-server <path>', 'the nats-server executable (a name on PATH or a path)', 'nats-server')
    .option('--config <file>', "the lab's topology as a kind cluster config (kind.x-k8s.io/v1alpha4); default: a control-plane node and two workers")
    .option('--subnet <cidr>', 'take every address of this lab from one /16 of 127.0.0.0/8, e.g. 127.150.0.0/16 (to run labs side by side)')
    .action(async (o: { profile: string; dir: string; basePort?: number; timeout: number; natsServer: string; config?: string; subnet?: string }) =>
      exit(await up({ dir: o.dir, profile: o.profile, basePort: o.basePort, timeoutMs: o.timeout * 1000, natsServer: o.natsServer, config: o.config, subnet: o.subnet })),
    );

  program
    .command('down')
    .description("stop every process of the lab and the pods' containers (data and logs are kept)")
    .addOption(dirOption())
    .action(async (o: { dir: string }) => exit(await down(o.dir)));

  program
    .command('kubeconfig')
    .description('print the path of the lab\'s kubeconfig (use: KUBECONFIG=$(kubelab kubeconfig) kubectl get ns)')
    .addOption(dirOption())
    .action((o: { dir: string }) => exit(printKubeconfigPath(o.dir)));

  program
    .command('status')
    .description('show each process of the lab: pid, address, health')
    .addOption(dirOption())
    .action(async (o: { dir: string }) => exit(await status(o.dir)));

  for (const [name, component] of Object.entries(components)) {
    program.command(name).description(`run the ${name} alone in the foreground: ${component.description}`).helpOption(false);
  }
  return program;
}

/** How many consecutive ports a lab takes from --base-port. */
const LAB_PORT_COUNT = Object.keys(labLayout('.', 1).ports).length;

export function basePort(value: string): number {
  const n = Number(value);
  const last = 65535 - (LAB_PORT_COUNT - 1);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > last) {
    throw new InvalidArgumentError(`expected a port from 1 to ${last}: the lab takes ${LAB_PORT_COUNT} consecutive ports from it (N to N+${LAB_PORT_COUNT - 1}), and the last is 65535`);
  }
  return n;
}

/** A duration in seconds: positive, fractions allowed (the waits poll a deadline, so there is no timer limit). */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds greater than 0, e.g. 30 or 0.5');
  return n;
}
