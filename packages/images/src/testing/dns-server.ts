/**
 * A tiny cluster DNS server for tests: A records from a table, NXDOMAIN for everything else, and
 * the list of names it was asked for.
 */
import * as dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';

export interface TestDnsServer {
  address: string;
  port: number;
  /** "ip:port", as KUBELAB_NAMESERVER takes it. */
  nameserver: string;
  queries: string[];
  close(): Promise<void>;
}

const NXDOMAIN = 3;

export function startDnsServer(ip: string, records: Record<string, string>): Promise<TestDnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    queries.push(question.name);
    const address = records[question.name.toLowerCase()];
    const answers: dnsPacket.Answer[] = address && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 5, data: address }] : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (address ? 0 : NXDOMAIN),
      questions: query.questions,
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, ip, () => {
      const { port } = socket.address();
      resolve({
        address: ip,
        port,
        nameserver: `${ip}:${port}`,
        queries,
        close: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}
