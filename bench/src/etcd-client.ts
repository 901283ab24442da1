import { GrpcWire } from './grpc-wire';
import { forEachField, lengthDelimited, message } from './protowire';

/**
 * The client every store benchmark uses, for the kubelab store and for etcd alike: the etcd v3
 * API's Put, Range and Watch over one HTTP/2 connection, encoded by hand so the client stays
 * cheaper than either server (a general-purpose client would be the bottleneck on 2 cores).
 */
export class EtcdBenchClient {
  private readonly wire: GrpcWire;

  constructor(endpoint: string) {
    this.wire = new GrpcWire(endpoint);
  }

  /** PutRequest { key = 1; value = 2 } */
  async put(key: string, value: Buffer): Promise<void> {
    await this.wire.unary('/etcdserverpb.KV/Put', message(lengthDelimited(1, Buffer.from(key)), lengthDelimited(2, value)));
  }

  /** The version of a key (0 if it does not exist): RangeResponse { kvs = 2 { version = 4 } }. */
  async version(key: string): Promise<number> {
    const response = await this.wire.unary('/etcdserverpb.KV/Range', message(lengthDelimited(1, Buffer.from(key))));
    let version = 0;
    forEachField(response, (field, kv) => {
      if (field === 2) forEachField(kv as Buffer, (kvField, v) => kvField === 4 && (version = v as number));
    });
    return version;
  }

  /**
   * Watches a prefix; `onEvent` gets each event's key. Resolves once the watch is created.
   * WatchRequest { create_request = 1 { key = 1; range_end = 2 } };
   * WatchResponse { created = 3; events = 11 { kv = 2 { key = 1 } } }.
   */
  watchPrefix(prefix: string, onEvent: (key: string) => void): Promise<{ close(): void }> {
    const end = Buffer.from(prefix);
    end[end.length - 1]!++;
    return new Promise((resolve) => {
      const stream = this.wire.stream('/etcdserverpb.Watch/Watch', (response) => {
        forEachField(response, (field, value) => {
          if (field === 3 && value === 1) resolve({ close: () => stream.close() });
          if (field !== 11) return;
          forEachField(value as Buffer, (eventField, kv) => {
            if (eventField !== 2) return;
            forEachField(kv as Buffer, (kvField, key) => {
              if (kvField === 1) onEvent((key as Buffer).toString());
            });
          });
        });
      });
      stream.send(message(lengthDelimited(1, message(lengthDelimited(1, Buffer.from(prefix)), lengthDelimited(2, end)))));
    });
  }

  close(): void {
    this.wire.close();
  }
}
