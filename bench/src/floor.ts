import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, ROOT } from '@kubelab/testkit';
import { h2load } from './h2load';
import { cpuSeconds } from './proc';

/**
 * What a Node.js server pays per unary gRPC call before doing any work: the same h2load load on
 * two servers that answer every call at once with an empty message, one on node:http2 alone and
 * one on grpc-js (configured as the store configures it). Their CPU per call is the floor under
 * any store written in Node.js, and the part of the store's own figure it cannot shave.
 */
const SERVERS = {
  'node:http2, empty answer': `
    const http2 = require('node:http2');
    const answer = Buffer.from([0, 0, 0, 0, 0]);
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.on('data', () => {});
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(answer);
      });
    });
    server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));`,
  'grpc-js, empty answer': `
    const grpc = require('@grpc/grpc-js');
    const { loadEtcdApi } = require('@kubelab/proto');
    const server = new grpc.Server({ 'grpc.enable_channelz': 0 });
    server.addService(loadEtcdApi().KV.service, { Put: (call, callback) => callback(null, {}) });
    server.bindAsync('127.0.0.1:' + process.argv[1], grpc.ServerCredentials.createInsecure(), () => console.log('ready'));`,
};

export interface FloorResult {
  server: string;
  opsPerSecond: number;
  cpuPerThousand: number;
}

export async function measureFloors(request: Buffer, operations: number, concurrency: number): Promise<FloorResult[]> {
  const results: FloorResult[] = [];
  for (const [server, script] of Object.entries(SERVERS)) {
    const port = await freePort();
    const child = spawn(process.execPath, ['-e', script, String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await ready(child);
      const endpoint = `127.0.0.1:${port}`;
      h2load(endpoint, '/etcdserverpb.KV/Put', request, 5_000, concurrency);
      const before = cpuSeconds(child.pid!);
      const run = h2load(endpoint, '/etcdserverpb.KV/Put', request, operations, concurrency);
      results.push({ server, opsPerSecond: operations / run.seconds, cpuPerThousand: ((cpuSeconds(child.pid!) - before) / operations) * 1000 });
    } finally {
      child.kill();
    }
  }
  return results;
}

/** Resolves once the child prints its first line (it is listening). */
export function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('floor server did not start in 10 s')), 10_000);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
  });
}
