import * as protoLoader from '@grpc/proto-loader';
import { ETCD_PROTO_OPTIONS } from './etcd';
import { etcdCodecs, type EtcdMessageName } from './etcd-codec';

/**
 * `node packages/proto/dist/etcd-codec-bench.js`: operations per second of the hand-written etcd
 * codec beside proto-loader's, on the messages an apiserver and the store exchange per pod write
 * (a create Txn, its response, the watch event that follows) and per read (Range).
 */

const loaded = protoLoader.loadSync('rpc.proto', ETCD_PROTO_OPTIONS);
const METHOD: Record<EtcdMessageName, [string, string, 'request' | 'response']> = {
  RangeRequest: ['KV', 'Range', 'request'],
  RangeResponse: ['KV', 'Range', 'response'],
  PutRequest: ['KV', 'Put', 'request'],
  PutResponse: ['KV', 'Put', 'response'],
  DeleteRangeRequest: ['KV', 'DeleteRange', 'request'],
  DeleteRangeResponse: ['KV', 'DeleteRange', 'response'],
  TxnRequest: ['KV', 'Txn', 'request'],
  TxnResponse: ['KV', 'Txn', 'response'],
  WatchRequest: ['Watch', 'Watch', 'request'],
  WatchResponse: ['Watch', 'Watch', 'response'],
};

function protoLoaderCodec(name: EtcdMessageName): { serialize(m: unknown): Buffer; deserialize(b: Buffer): unknown } {
  const [service, method, side] = METHOD[name];
  const definition = (loaded[`etcdserverpb.${service}`] as unknown as Record<string, Record<string, (x: never) => never>>)[method]!;
  return { serialize: definition[`${side}Serialize`] as never, deserialize: definition[`${side}Deserialize`] as never };
}

const pod = Buffer.from(JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'hello-7d9f8c6b5-x2x4q', namespace: 'default', labels: { app: 'hello' } }, spec: { containers: [{ name: 'hello', image: 'hello-server', ports: [{ containerPort: 8080 }] }], nodeName: 'kubelab-worker' }, status: { phase: 'Running', conditions: Array.from({ length: 4 }, (_, i) => ({ type: `C${i}`, status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' })) } }).repeat(3));
const key = Buffer.from('/registry/pods/default/hello-7d9f8c6b5-x2x4q');
const header = { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: 123456, raft_term: '2' };
const kv = { key, create_revision: 123400, mod_revision: 123456, version: 3, value: pod, lease: '0' };

/** What each side writes: numbers for revisions, as the store and the apiserver do. */
const CASES: Array<[string, EtcdMessageName, object]> = [
  ['apiserver → store: create Txn', 'TxnRequest', { compare: [{ key, target: 'CREATE', result: 'EQUAL', create_revision: 0 }], success: [{ request_put: { key, value: pod } }], failure: [{ request_range: { key } }] }],
  ['store → apiserver: Txn response', 'TxnResponse', { header, succeeded: true, responses: [{ response_put: { header: { revision: 0 } } }] }],
  ['store → apiserver: watch event', 'WatchResponse', { header, watch_id: 0, events: [{ type: 'PUT', kv, prev_kv: kv }] }],
  ['apiserver → store: Range (list)', 'RangeRequest', { key: Buffer.from('/registry/pods/'), range_end: Buffer.from('/registry/pods0'), limit: 500, revision: 0 }],
  ['store → apiserver: Range, 1 key', 'RangeResponse', { header, kvs: [kv], more: false, count: 1 }],
  ['store → apiserver: Range, 100 keys', 'RangeResponse', { header, kvs: Array.from({ length: 100 }, () => kv), more: false, count: 100 }],
  ['client → store: Put', 'PutRequest', { key, value: Buffer.alloc(256, 'v') }],
  ['store → client: Put response', 'PutResponse', { header }],
];

/**
 * Operations per CPU second (process.cpuUsage, so time the process spends descheduled on a busy
 * machine does not count): the median of five rounds, the two codecs taking turns.
 */
function compare(theirs: () => unknown, ours: () => unknown): [number, number] {
  const rounds: [number[], number[]] = [[], []];
  for (let round = 0; round < 5; round++) {
    [theirs, ours].forEach((run, who) => rounds[who]!.push(opsPerCpuSecond(run)));
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[list.length >> 1]!;
  return [median(rounds[0]), median(rounds[1])];
}

function opsPerCpuSecond(run: () => unknown, cpuMicros = 100_000): number {
  for (let i = 0; i < 100; i++) run();
  const started = process.cpuUsage();
  let count = 0;
  let used = 0;
  while (used < cpuMicros) {
    for (let i = 0; i < 20; i++) run();
    count += 20;
    const now = process.cpuUsage(started);
    used = now.user + now.system;
  }
  return (count / used) * 1e6;
}

const rows: string[] = ['| message | encode ops per CPU second (proto-loader → ours) | decode ops per CPU second (proto-loader → ours) |', '| --- | --- | --- |'];
for (const [what, name, message] of CASES) {
  const theirs = protoLoaderCodec(name);
  const ours = etcdCodecs[name];
  const bytes = theirs.serialize(message);
  const encode = compare(() => theirs.serialize(message), () => ours.serialize(message));
  const decode = compare(() => theirs.deserialize(bytes), () => ours.deserialize(bytes));
  const cell = ([a, b]: [number, number]) => `${Math.round(a).toLocaleString('en')} → ${Math.round(b).toLocaleString('en')} (${(b / a).toFixed(1)}×)`;
  rows.push(`| ${what} (${bytes.length} B) | ${cell(encode)} | ${cell(decode)} |`);
}
console.log(rows.join('\n'));
