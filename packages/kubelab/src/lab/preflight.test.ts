import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabLayout } from './layout';
import { labSubnetNetworking, planNetwork } from './network';
import { preflight } from './preflight';
import { defaultTopology } from './topology';

const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Listens on 127.0.0.1:port (0: any free one) and keeps listening; undefined if the port is taken already. */
function hold(port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      servers.push(server);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const topology = defaultTopology();
// Addresses no test takes: the node-IP and DNS checks have nothing to say here.
const network = planNetwork(topology, labSubnetNetworking('127.253.0.0/16'));

describe("preflight: the control plane's ports", () => {
  it('names every taken control-plane port on 127.0.0.1 at once, and how to start a second lab', async () => {
    const [nats, apiserver] = [(await hold())!, (await hold())!];
    const layout: LabLayout = {
      dir: '/tmp/kubelab-preflight-test',
      ports: {
        nats,
        natsMonitor: await freePort(),
        store: await freePort(),
        storeMetrics: await freePort(),
        apiserver,
        apiserverGrpc: await freePort(),
        scheduler: await freePort(),
        controllerManager: await freePort(),
      },
    };
    const problems = (await preflight(topology, network, layout)).filter((p) => p.startsWith('port '));
    expect(problems).toEqual([
      `port 127.0.0.1:${nats} (NATS) is in use; another lab may use these ports: start this one with \`--base-port N\` (it takes N to N+7)`,
      `port 127.0.0.1:${apiserver} (apiserver) is in use; another lab may use these ports: start this one with \`--base-port N\` (it takes N to N+7)`,
    ]);
  });

  it("names Debian's nats-server and etcd services when 4222 and 2379 are taken", async () => {
    // Held by this test for the check, or already by someone (Debian's services, the docker-compose lab).
    await hold(4222);
    await hold(2379);
    const layout: LabLayout = { dir: '/tmp/kubelab-preflight-test', ports: { nats: 4222, natsMonitor: 0, store: 2379, storeMetrics: 0, apiserver: 0, apiserverGrpc: 0, scheduler: 0, controllerManager: 0 } };
    const problems = await preflight(topology, network, layout);
    expect(problems).toContain(
      "port 127.0.0.1:4222 (NATS) is in use; another lab may use these ports: start this one with `--base-port N` (it takes N to N+7); Debian's nats-server service may hold it: stop it with `sudo systemctl disable --now nats-server`",
    );
    expect(problems).toContain(
      "port 127.0.0.1:2379 (store) is in use; another lab may use these ports: start this one with `--base-port N` (it takes N to N+7); Debian's etcd service may hold it: stop it with `sudo systemctl disable --now etcd`",
    );
  });
});
