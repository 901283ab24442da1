/**
 * nginx (any tag): the official image's default server. Port 80 on the pod IP, the stock welcome
 * page at `/`, nginx's own error pages, the docker-entrypoint notices and nginx's start-up
 * notices, and one access log line per request in the image's `main` log format.
 */
import * as http from 'node:http';
import type { ImageDefinition } from '../types';
import { LineWriter, MONTHS, exitOnTermination, imageTag, listen, listenHost, nodeEntrypoint, pad2, slashTimestamp } from './image-support';

const DEFAULT_VERSION = '1.27.3';

export const nginx: ImageDefinition = {
  repositories: ['docker.io/library/nginx'],
  runtime: 'node',
  entrypoint: nodeEntrypoint(__filename),
  // The image's CMD; its entrypoint prints its notices only when the command is nginx.
  cmd: ['nginx', '-g', 'daemon off;'],
  env: { NGINX_VERSION: DEFAULT_VERSION, NJS_VERSION: '0.8.7', PKG_RELEASE: '1~bookworm' },
  // nginx:1.25.3 is built with NGINX_VERSION=1.25.3; 'latest', 'alpine', ... are the default build.
  envForTag: (tag): Record<string, string> => {
    const version = /^\d+\.\d+\.\d+/.exec(tag ?? '')?.[0];
    return version ? { NGINX_VERSION: version } : {};
  },
  sizeBytes: 72_099_501,
};

/** A page as nginx's stock HTML files are written: the same head and style, this title and body. */
function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<title>${title}</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
${body}</body>
</html>
`;
}

const WELCOME = page(
  'Welcome to nginx!',
  `<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
`,
);

const FIFTY_X = page(
  'Error',
  `<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
`,
);

/** The files of /usr/share/nginx/html, with their Last-Modified (the image's build time). */
const FILES: Record<string, { body: Buffer; modified: Date }> = {
  '/index.html': { body: Buffer.from(WELCOME), modified: new Date('2024-11-26T15:55:58Z') },
  '/50x.html': { body: Buffer.from(FIFTY_X), modified: new Date('2024-11-26T15:55:58Z') },
};

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Not Allowed' };

/** nginx's built-in error page (CRLF line ends, as nginx writes them). */
function errorPage(status: number, version: string): Buffer {
  const title = `${status} ${STATUS_TEXT[status] ?? http.STATUS_CODES[status]}`;
  return Buffer.from(
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
      `<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`,
  );
}

/** $time_local: '23/Nov/2023:01:52:00 +0000'. */
function timeLocal(date: Date): string {
  return (
    `${pad2(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} +0000`
  );
}

function main(): void {
  const version = imageTag('NGINX_VERSION', DEFAULT_VERSION);
  const out = new LineWriter('stdout');
  const err = new LineWriter('stderr');
  const pid = process.pid;
  const notice = (text: string): void => err.line(`${slashTimestamp()} [notice] ${pid}#${pid}: ${text}`);
  const args = process.argv.slice(2);
  if (args[0] === 'nginx' || args[0] === 'nginx-debug') {
    // docker-entrypoint.sh, as it speaks with the image's default configuration.
    for (const text of [
      '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
      '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
      '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
      '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
    ]) {
      out.line(text);
    }
  }

  const server = http.createServer((req, res) => {
    const started = new Date();
    const method = req.method ?? 'GET';
    let pathname = (req.url ?? '/').split('?')[0]!;
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = FILES[pathname];
    let status: number;
    let body: Buffer;
    const headers: Record<string, string | number> = { Server: `nginx/${version}` };
    if (file && (method === 'GET' || method === 'HEAD')) {
      status = 200;
      body = file.body;
      headers['Content-Type'] = 'text/html';
      headers['Last-Modified'] = file.modified.toUTCString();
      headers.ETag = `"${Math.floor(file.modified.getTime() / 1000).toString(16)}-${file.body.length.toString(16)}"`;
      headers['Accept-Ranges'] = 'bytes';
    } else {
      status = file ? 405 : 404;
      body = errorPage(status, version);
      headers['Content-Type'] = 'text/html';
      if (status === 404) {
        err.line(
          `${slashTimestamp(started)} [error] ${pid}#${pid}: *1 open() "/usr/share/nginx/html${pathname}" failed ` +
            `(2: No such file or directory), client: ${req.socket.remoteAddress}, server: localhost, ` +
            `request: "${method} ${req.url} HTTP/${req.httpVersion}", host: "${req.headers.host ?? ''}"`,
        );
      }
    }
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    res.end(method === 'HEAD' ? undefined : body);
    const referer = req.headers.referer ?? '-';
    const agent = req.headers['user-agent'] ?? '-';
    const forwarded = req.headers['x-forwarded-for'] ?? '-';
    out.line(
      `${req.socket.remoteAddress} - - [${timeLocal(started)}] "${method} ${req.url} HTTP/${req.httpVersion}" ` +
        `${status} ${method === 'HEAD' ? 0 : body.length} "${referer}" "${agent}" "${forwarded}"`,
    );
  });
  server.keepAliveTimeout = 65_000;

  listen(
    server,
    80,
    () => {
      notice('using the "epoll" event method');
      notice(`nginx/${version}`);
      notice('built by gcc 12.2.0 (Debian 12.2.0-14)');
      notice('OS: Linux');
      notice('getrlimit(RLIMIT_NOFILE): 1048576:1048576');
      notice('start worker processes');
      notice(`start worker process ${pid}`);
    },
    (error) => {
      const reason = error.code === 'EADDRINUSE' ? '98: Address already in use' : error.code === 'EACCES' ? '13: Permission denied' : error.message;
      const text = `bind() to ${listenHost()}:80 failed (${reason})`;
      return `${slashTimestamp()} [emerg] ${pid}#${pid}: ${text}\nnginx: [emerg] ${text}`;
    },
  );

  exitOnTermination({
    servers: [server],
    onSignal: (signal) => {
      notice(`signal ${signal === 'SIGTERM' ? 15 : 2} (${signal}) received, exiting`);
      notice(`worker process ${pid} exited with code 0`);
      notice('exit');
    },
  });
}

if (require.main === module) main();
