import * as dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { randomNet } from '../testing/fixtures';
import { DnsServer } from './dns-server';

describe('DnsServer', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', onRejection);
  });

  it('drops an answer that is ready only after the server closed (no throw, no unhandled rejection)', async () => {
    process.on('unhandledRejection', onRejection);
    const address = randomNet()(10);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    let asked!: () => void;
    const question = new Promise<void>((resolve) => (asked = resolve));
    let answer!: (message: Buffer) => void;
    const server = new DnsServer({
      address,
      port,
      handle: () => {
        asked();
        return new Promise((resolve) => (answer = resolve));
      },
      retryMs: 100,
      clock: realClock,
      log: createLogger('test', 'silent'),
    });
    server.start();
    await waitFor(() => server.serving, { what: 'the DNS server serving' });
    const client = dgram.createSocket('udp4');
    client.send(Buffer.alloc(12), port, address);
    await question;
    await server.close();
    answer(Buffer.alloc(12));
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();
    expect(rejections).toEqual([]);
  });
});
