import { spawn } from 'node:child_process';
import { freePort, ROOT } from '@kubelab/testkit';
import { ready } from './floor';
import { h1load } from './h2load';
import { cpuSeconds } from './proc';

/**
 * The floor under any apiserver written in Node.js on this store: Node's HTTP/1.1 server that,
 * for each POSTed pod, parses it, names it, encodes it back and puts it in the store with one
 * unary etcd Put over node:http2, then answers 201 with it. No defaults, validation,
 * managedFields, Txn guard or watch cache: what the bare transport costs on both sides of an
 * apiserver, measured with the same load as the real one.
 */
const SCRIPT = `
  const http = require('node:http');
  const http2 = require('node:http2');
  const session = http2.connect('http://' + process.argv[2]);
  const varint = (n) => { const out = []; while (n > 127) { out.push((n & 127) | 128); n >>>= 7; } out.push(n); return Buffer.from(out); };
  const field = (no, bytes) => Buffer.concat([Buffer.from([(no << 3) | 2]), varint(bytes.length), bytes]);
  let created = 0;
  http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const pod = JSON.parse(Buffer.concat(chunks).toString());
      pod.metadata.name = pod.metadata.generateName + (created++).toString(36);
      pod.metadata.uid = '00000000-0000-0000-0000-' + String(created).padStart(12, '0');
      const value = Buffer.from(JSON.stringify(pod));
      const put = Buffer.concat([field(1, Buffer.from('/registry/floor/' + pod.metadata.name)), field(2, value)]);
      const frame = Buffer.alloc(5 + put.length);
      frame.writeUInt32BE(put.length, 1);
      put.copy(frame, 5);
      const call = session.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Put', 'content-type': 'application/grpc', te: 'trailers' });
      call.on('data', () => {});
      call.on('error', (error) => { res.writeHead(500); res.end(String(error)); });
      call.on('trailers', (trailers) => {
        if (trailers['grpc-status'] !== '0') { res.writeHead(500); res.end(String(trailers['grpc-message'])); return; }
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(value);
      });
      call.end(frame);
    });
  }).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));`;

export interface ApiserverFloorResult {
  createsPerSecond: number;
  cpuPerThousand: number;
}

export async function measureApiserverFloor(storeEndpoint: string, body: Buffer, warmup: number, creates: number, clients: number): Promise<ApiserverFloorResult> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', SCRIPT, String(port), storeEndpoint], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await ready(child);
    const url = `http://127.0.0.1:${port}/api/v1/namespaces/default/pods`;
    h1load(url, body, 'application/json', warmup, clients);
    const before = cpuSeconds(child.pid!);
    const run = h1load(url, body, 'application/json', creates, clients);
    if (run.succeeded !== creates) throw new Error(`apiserver floor: ${creates - run.succeeded} of ${creates} were not 201`);
    return { createsPerSecond: creates / run.seconds, cpuPerThousand: ((cpuSeconds(child.pid!) - before) / creates) * 1000 };
  } finally {
    child.kill();
  }
}
