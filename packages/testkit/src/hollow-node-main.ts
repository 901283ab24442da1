import { ObjectsClient } from '@kubelab/client';
import { HollowNodes, type HollowNodeSpec } from './hollow-nodes';

/**
 * One hollow node as its own process: `node hollow-node-main.js <apiserver grpc> '<spec json>'`.
 * Its own process so that a test blocked in a synchronous kubectl does not stop its heartbeats,
 * and so that SIGSTOP / SIGCONT pause it as a dead and revived kubelet.
 */
async function main(): Promise<void> {
  const [target, specJson] = process.argv.slice(2);
  const client = new ObjectsClient(target!);
  const nodes = new HollowNodes(client, [JSON.parse(specJson!) as HollowNodeSpec]);
  await nodes.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void nodes.stop().finally(() => {
      client.close();
      process.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`hollow node failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
