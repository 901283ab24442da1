import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, httpRequest, killAll, startImage } from '../testing/harness';

beforeAll(() => ensureBuilt(), 120_000);
afterEach(() => killAll());

describe('nginx', () => {
  it('serves the welcome page on the pod IP, port 80, and logs as the image does', async () => {
    const nginx = await startImage('nginx', { port: 80 });
    const page = await httpRequest(`http://${nginx.ip}/`, { headers: { 'User-Agent': 'curl/8.4.0' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Welcome to nginx!</title>');
    expect(page.body).toContain('<p><em>Thank you for using nginx.</em></p>');
    expect(page.body.length).toBe(615);
    expect(page.headers.server).toMatch(/^nginx\/\d+\.\d+\.\d+$/);
    expect(page.headers['content-type']).toBe('text/html');

    const missing = await httpRequest(`http://${nginx.ip}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toBe(
      `<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n` +
        `<hr><center>${page.headers.server}</center>\r\n</body>\r\n</html>\r\n`,
    );
    const head = await httpRequest(`http://${nginx.ip}/index.html`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await httpRequest(`http://${nginx.ip}/`, { method: 'POST' })).status).toBe(405);

    const stopped = await nginx.stop();
    expect(stopped.code).toBe(0);
    const out = nginx.stdout().split('\n');
    expect(out[0]).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(out).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up');
    const access = out.filter((line) => line.startsWith('127.'));
    expect(access).toHaveLength(4);
    expect(access[0]).toMatch(/^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/ HTTP\/1\.1" 200 615 "-" "curl\/8\.4\.0" "-"$/);
    expect(access[1]).toMatch(/"GET \/nope HTTP\/1\.1" 404 \d+ "-" "-" "-"$/);
    expect(nginx.stderr()).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[notice\] \d+#\d+: using the "epoll" event method$/m);
    expect(nginx.stderr()).toMatch(/\[error\] .*open\(\) "\/usr\/share\/nginx\/html\/nope" failed \(2: No such file or directory\)/);
    expect(nginx.stderr()).toMatch(/\[notice\] \d+#\d+: signal 15 \(SIGTERM\) received, exiting\n.*\n.*\[notice\] \d+#\d+: exit\n$/);
  });

  it('says the version its tag names', async () => {
    const nginx = await startImage('nginx:1.25.3', { port: 80 });
    const page = await httpRequest(`http://${nginx.ip}/`);
    expect(page.headers.server).toBe('nginx/1.25.3');
    await nginx.stop();
    expect(nginx.stderr()).toContain('[notice] ');
    expect(nginx.stderr()).toMatch(/: nginx\/1\.25\.3$/m);
  });

  it('prints no entrypoint notices when the command is not nginx, and fails as nginx does on a taken port', async () => {
    const first = await startImage('nginx', { port: 80, args: [] });
    expect(first.stdout()).not.toContain('docker-entrypoint');
    const second = await startImage('nginx', { ip: first.ip });
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.stderr()).toContain(`nginx: [emerg] bind() to ${first.ip}:80 failed (98: Address already in use)`);
  });
});
