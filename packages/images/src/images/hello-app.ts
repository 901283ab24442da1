/**
 * gcr.io/google-samples/hello-app 1.0 / 2.0: the Go sample of the GKE tutorials. Port 8080 (or
 * $PORT); every path answers "Hello, world!", the version and the pod's hostname.
 */
import * as http from 'node:http';
import * as os from 'node:os';
import type { ImageDefinition } from '../types';
import { LineWriter, exitOnTermination, imageTag, listen, nodeEntrypoint, slashTimestamp } from './image-support';

export const helloApp: ImageDefinition = {
  repositories: ['gcr.io/google-samples/hello-app'],
  tags: ['1.0', '2.0'],
  runtime: 'node',
  entrypoint: nodeEntrypoint(__filename),
  cmd: [],
  envForTag: (tag) => ({ HELLO_APP_VERSION: `${tag ?? '1.0'}.0` }),
  sizeBytes: 4_432_651,
};

function main(): void {
  const version = imageTag('HELLO_APP_VERSION', '1.0.0');
  const hostname = process.env.HOSTNAME || os.hostname();
  const log = new LineWriter('stderr');
  const server = http.createServer((req, res) => {
    log.line(`${slashTimestamp()} Serving request: ${(req.url ?? '/').split('?')[0]}`);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Hello, world!\nVersion: ${version}\nHostname: ${hostname}\n`);
  });
  const port = Number(process.env.PORT || '8080');
  listen(
    server,
    port,
    () => log.line(`${slashTimestamp()} Server listening on port ${port}`),
    (error) => `${slashTimestamp()} listen tcp :${port}: bind: ${error.code === 'EADDRINUSE' ? 'address already in use' : error.message}`,
  );
  exitOnTermination({ servers: [server], exitCode: 2 });
}

if (require.main === module) main();
